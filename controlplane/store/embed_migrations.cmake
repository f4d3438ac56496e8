# Writes OUT: a C++ fragment with every migrations/NNNN_name.sql as {number, name, sql} entries,
# in file-name order. Run by controlplane/store/CMakeLists.txt at build time.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" number ${name})
  file(READ ${f} sql)
  string(APPEND body "{${number}, \"${name}\", R\"cairnsql(${sql})cairnsql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "${body}")
configure_file(${OUT}.tmp ${OUT} COPYONLY)
