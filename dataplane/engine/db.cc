// Db: lookups with lazy expiry, and mutations that keep the TTL index in step with the table.
#include "dataplane/engine/db.h"

#include <string>

#include "dataplane/base/status.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::engine {

Db::Db(int index, Keyspace* keyspace, uint64_t seed)
    : index_(index), keyspace_(keyspace), table_(std::make_unique<EntryTable>(seed)) {}

bool Db::ExpireIfNeeded(Entry* e) {
  if (!keyspace_->IsExpired(e)) {
    return false;
  }
  if (!keyspace_->expiry_deletes()) {
    return true;  // a replica hides it but waits for the primary's DEL
  }
  std::string key(e->key());
  Delete(key);
  keyspace_->NoteExpired(index_, key);
  return true;
}

Entry* Db::Lookup(std::string_view key, bool touch) {
  Entry* e = table_->Find(key);
  if (e == nullptr || ExpireIfNeeded(e)) {
    return nullptr;
  }
  if (touch) {
    keyspace_->Touch(e);
  }
  return e;
}

Entry* Db::LookupRead(std::string_view key, uint32_t flags) {
  Entry* e = Lookup(key, /*touch=*/(flags & kLookupNoTouch) == 0);
  if (e != nullptr) {
    keyspace_->stats().keyspace_hits++;
    return e;
  }
  keyspace_->stats().keyspace_misses++;
  if ((flags & kLookupNoNotify) == 0 && keyspace_->observer() != nullptr) {
    keyspace_->observer()->OnKeyMiss(index_, key);
  }
  return nullptr;
}

Entry* Db::LookupWrite(std::string_view key) {
  return Lookup(key, /*touch=*/true);
}

Entry* Db::LookupNoTouch(std::string_view key) {
  return Lookup(key, /*touch=*/false);
}

void Db::IndexExpire(Entry* e) {
  e->set_expire_slot(static_cast<uint32_t>(expiring_.size()));
  expiring_.push_back(e);
}

void Db::UnindexExpire(Entry* e) {
  uint32_t slot = e->expire_slot();
  CAIRN_CHECK(slot < expiring_.size() && expiring_[slot] == e);
  Entry* last = expiring_.back();
  expiring_[slot] = last;
  last->set_expire_slot(slot);
  expiring_.pop_back();
}

void Db::Reserve(uint64_t keys, uint64_t expiring) {
  if (table_->size() != 0) {
    return;
  }
  table_->Expand(keys);
  expiring_.reserve(expiring);
}

void Db::Insert(Entry* e) {
  if (e->clock() == 0) {
    e->set_clock(keyspace_->InitialClock());
  }
  table_->Insert(e);
  if (e->has_expire()) {
    IndexExpire(e);
  }
  if (keyspace_->observer() != nullptr) {
    keyspace_->observer()->OnKeyAdded(index_, e->key());
  }
}

Entry* Db::Upsert(Entry* e) {
  Entry** link = table_->FindLink(e->key());
  if (link == nullptr) {
    Insert(e);
    return e;
  }
  return ReplaceAt(link, e, /*free_old=*/true);
}

Entry* Db::Replace(Entry* replacement, bool free_old) {
  Entry** link = table_->FindLink(replacement->key());
  CAIRN_CHECK(link != nullptr);
  return ReplaceAt(link, replacement, free_old);
}

Entry* Db::ReplaceAt(Entry** link, Entry* replacement, bool free_old) {
  Entry* old = *link;
  if (old->has_expire()) {
    UnindexExpire(old);
  }
  if (replacement->clock() == 0) {
    replacement->set_clock(keyspace_->InitialClock());
  }
  table_->Replace(link, replacement);
  if (replacement->has_expire()) {
    IndexExpire(replacement);
  }
  if (free_old) {
    Entry::Free(old);
    NotifyRemoved(replacement->key());
  } else {
    Entry::FreeShell(old);
  }
  return replacement;
}

Entry* Db::Unlink(std::string_view key) {
  Entry* e = table_->Remove(key);
  if (e != nullptr && e->has_expire()) {
    UnindexExpire(e);
  }
  if (e != nullptr) {
    NotifyRemoved(key);
  }
  return e;
}

void Db::NotifyRemoved(std::string_view key) {
  if (keyspace_->observer() != nullptr) {
    keyspace_->observer()->OnKeyRemoved(index_, key);
  }
}

bool Db::Delete(std::string_view key) {
  Entry* e = Unlink(key);
  if (e == nullptr) {
    return false;
  }
  Entry::Free(e);
  return true;
}

Entry* Db::SetExpire(Entry* e, int64_t expire_at_ms) {
  if (e->has_expire()) {
    e->set_expire_at_ms(expire_at_ms);
    return e;
  }
  return Replace(Entry::Rebuild(e, /*has_expire=*/true, expire_at_ms, /*move_object=*/true),
                 /*free_old=*/false);
}

Entry* Db::Persist(Entry* e) {
  if (!e->has_expire()) {
    return e;
  }
  return Replace(Entry::Rebuild(e, /*has_expire=*/false, 0, /*move_object=*/true),
                 /*free_old=*/false);
}

void Db::Clear() {
  expiring_.clear();
  table_->Clear();
  if (keyspace_->observer() != nullptr) {
    keyspace_->observer()->OnDbReplaced(index_);
  }
}

void Db::SwapContents(Db& other) {
  // Tables hold no back-pointers to their Db, so swapping the members is enough.
  std::swap(expiring_, other.expiring_);
  std::swap(table_, other.table_);
  if (keyspace_->observer() != nullptr) {
    keyspace_->observer()->OnDbReplaced(index_);
    keyspace_->observer()->OnDbReplaced(other.index_);
  }
}

}  // namespace cairn::engine
