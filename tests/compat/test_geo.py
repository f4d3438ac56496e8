"""Geo commands against redis-server: GEOADD (NX XX CH), GEODIST (m km ft mi), GEOHASH, GEOPOS,
GEOSEARCH (FROMMEMBER FROMLONLAT BYRADIUS BYBOX ASC DESC COUNT ANY WITHCOORD WITHDIST WITHHASH),
GEOSEARCHSTORE (STOREDIST), GEORADIUS, GEORADIUSBYMEMBER (STORE STOREDIST) and the _RO forms;
error texts, WRONGTYPE, missing keys, stores, COMMAND INFO / GETKEYS, and a few hundred
pseudo-random points searched with many radii and boxes, compared byte for byte (scores, order
of unsorted results, distances and coordinates)."""

import random

import pytest

from cairn_compat import same
from test_zsets import group_and_since

GEO_COMMANDS = """geoadd geodist geohash geopos georadius georadius_ro georadiusbymember
georadiusbymember_ro geosearch geosearchstore""".split()

SICILY = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"


def fill_sicily(pair):
    same(pair, SICILY, "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
         "GEOADD Sicily 14.2681 40.8518 Napoli 12.4964 41.9028 Roma")


def test_geoadd_options_and_scores(pair):
    same(pair, SICILY, "ZRANGE Sicily 0 -1 WITHSCORES", "GEOADD Sicily NX 1 1 Palermo 2 2 n",
         "GEOADD Sicily XX 3 3 Palermo 4 4 x", "GEOADD Sicily XX CH 3 3 Palermo 4 4 x",
         "GEOADD Sicily CH 3 3 Palermo 5 5 y", "GEOADD Sicily ch nx 6 6 z",
         "ZRANGE Sicily 0 -1 WITHSCORES", "GEOADD missing XX 1 1 a", "EXISTS missing",
         "GEOADD Sicily 1 1 nx", "GEOADD Sicily 3 3 Palermo", "ZSCORE Sicily Palermo")


@pytest.mark.parametrize("args", [
    "GEOADD k 200 10 m", "GEOADD k 1 91 m", "GEOADD k -180.1 0 m", "GEOADD k 0 -85.06 m",
    "GEOADD k 1e300 1 m", "GEOADD k inf 1 m", "GEOADD k x 2 m", "GEOADD k 1 nan m",
    "GEOADD k 1 2 m 3", "GEOADD k nx xx 1 2 m", "GEOADD k gt 1 2 m", "GEOADD k 1 2",
    "GEOADD k ch ch ch", "GEOADD k nx", "GEOADD k 1 2 a 200 0 b", "GEOADD k 180 85.05112878 m",
    "GEOADD k -180 -85.05112878 m", "GEODIST k", "GEOHASH", "GEOPOS",
])
def test_geoadd_errors(pair, args):
    same(pair, args, "ZRANGE k 0 -1 WITHSCORES")


def test_geodist_units(pair23):
    fill_sicily(pair23)
    same(pair23, "GEODIST Sicily Palermo Catania", "GEODIST Sicily Palermo Catania m",
         "GEODIST Sicily Palermo Catania KM", "GEODIST Sicily Palermo Catania ft",
         "GEODIST Sicily Palermo Catania Mi", "GEODIST Sicily Palermo Catania yards",
         "GEODIST Sicily Palermo nosuch", "GEODIST Sicily nosuch Palermo km",
         "GEODIST Sicily Palermo Palermo", "GEODIST Sicily Palermo Catania km extra",
         "GEODIST missing a b", "GEODIST missing a b furlong", "GEODIST Sicily Roma edge2 mi")


def test_geopos_geohash(pair23):
    fill_sicily(pair23)
    same(pair23, "GEOPOS Sicily Palermo nosuch Catania Roma", "GEOHASH Sicily Palermo nosuch Roma",
         "GEOPOS missing a b", "GEOHASH missing a", "GEOPOS Sicily", "GEOHASH Sicily",
         "ZADD Sicily -5 neg 1e30 huge 0 zero 4503599627370495 top",
         "GEOPOS Sicily neg huge zero top", "GEOHASH Sicily neg huge zero top",
         "GEOADD corner 180 85.05112878 ne -180 -85.05112878 sw 180 0 e -180 0 w",
         "ZRANGE corner 0 -1 WITHSCORES", "GEOPOS corner ne sw e w", "GEOHASH corner ne sw e w")


def test_wrongtype(pair):
    same(pair, "RPUSH l a", "GEOADD l 1 1 a", "GEODIST l a b", "GEODIST l a b furlong",
         "GEOHASH l a", "GEOPOS l a", "GEOSEARCH l FROMLONLAT 1 1 BYRADIUS 1 km",
         "GEOSEARCHSTORE d l FROMLONLAT 1 1 BYRADIUS 1 km", "GEORADIUS l 1 1 1 km",
         "GEORADIUS l 1 1 1 furlong", "GEORADIUSBYMEMBER l a 1 km", "GEORADIUS_RO l 1 1 1 km",
         "GEORADIUSBYMEMBER_RO l a 1 km", "GEOADD g 1 1 a", "GEOSEARCHSTORE l g FROMLONLAT 1 1 "
         "BYRADIUS 1000 km", "TYPE l", "ZRANGE l 0 -1 WITHSCORES")


SEARCH_ERRORS = [
    "GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 0",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT -3",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT x",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS x km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 furlong",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 xx",
    "GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 1 km",
    "GEOSEARCH Sicily FROMLONLAT x 37 BYRADIUS 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST",
    "geoSearch Sicily BYRADIUS 200 km ASC WITHDIST",
    "GEOSEARCH Sicily BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km BYBOX 1 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km BYRADIUS 300 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 FROMLONLAT 13 38 BYRADIUS 20 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE d",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km bogus",
    "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST",
    "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHHASH",
    "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 ASC STOREDIST",
    "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE e",
    "GEORADIUS Sicily 15 37 200 km STORE d WITHDIST",
    "GEORADIUS Sicily 15 37 200 km WITHCOORD STOREDIST d",
    "GEORADIUS Sicily 15 37 200 km STORE",
    "GEORADIUS Sicily 15 x 200 km",
    "GEORADIUS Sicily 15 37 x km",
    "GEORADIUS Sicily 15 37 3 kk",
    "GEORADIUS Sicily 15 37 3 km FROMLONLAT 1 1",
    "GEORADIUS Sicily 15 37 3 km ANY",
    "GEORADIUS_RO Sicily 15 37 200 km STORE d",
    "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km STOREDIST d",
    "GEORADIUSBYMEMBER Sicily nosuch 200 km",
    "GEORADIUSBYMEMBER Sicily Palermo -1 km",
    "GEORADIUSBYMEMBER Sicily Palermo 1 kmm",
    "GEORADIUS missing 15 37 3 kk",
    "GEORADIUS missing 15 37 3 km withdist store x",
    "GEORADIUSBYMEMBER missing nosuch 200 km STORE d",
    "GEORADIUSBYMEMBER missing nosuch x y WITHDIST",
    "GEORADIUSBYMEMBER missing nosuch 1 km ANY",
    "GEOSEARCH missing FROMMEMBER x BYRADIUS 1 km",
    "GEOSEARCH missing FROMMEMBER x BYRADIUS 1 kmm",
    "GEOSEARCH missing FROMMEMBER x BYBOX 1 1 km WITHCOORD",
    "GEOSEARCHSTORE d missing FROMLONLAT 1 1 BYRADIUS 1 km",
]


@pytest.mark.parametrize("command", SEARCH_ERRORS)
def test_search_errors_and_missing_keys(pair, command):
    fill_sicily(pair)
    same(pair, "SET d x", command, "TYPE d")


def test_searches_with_options(pair23):
    fill_sicily(pair23)
    for frm in ["FROMLONLAT 15 37", "FROMMEMBER Palermo", "FROMLONLAT 13.5 39.2"]:
        for by in ["BYRADIUS 200 km", "BYRADIUS 500000 m", "BYBOX 400 400 km", "BYBOX 3000 50 mi",
                   "BYRADIUS 0 m", "BYRADIUS 1000 ft"]:
            for opts in ["", "ASC", "DESC", "WITHDIST", "WITHCOORD WITHHASH", "COUNT 2",
                         "COUNT 1 ANY", "COUNT 3 ANY DESC WITHDIST", "WITHDIST WITHCOORD WITHHASH ASC",
                         "COUNT 100"]:
                same(pair23, f"GEOSEARCH Sicily {frm} {by} {opts}")


def test_georadius_forms(pair23):
    fill_sicily(pair23)
    same(pair23, "GEORADIUS Sicily 15 37 200 km", "GEORADIUS Sicily 15 37 200 km WITHDIST ASC",
         "GEORADIUS Sicily 15 37 500 km WITHCOORD WITHHASH DESC COUNT 3",
         "GEORADIUS_RO Sicily 15 37 200 km WITHDIST", "GEORADIUS Sicily 15 37 1000 mi COUNT 2 ANY",
         "GEORADIUSBYMEMBER Sicily Palermo 300 km WITHDIST",
         "GEORADIUSBYMEMBER_RO Sicily Napoli 5000 km ASC WITHCOORD",
         "GEORADIUSBYMEMBER Sicily Roma 1 m WITHDIST")


def test_stores(pair):
    fill_sicily(pair)
    same(pair, "GEORADIUS Sicily 15 37 200 km STORE d", "ZRANGE d 0 -1 WITHSCORES",
         "OBJECT ENCODING d", "GEORADIUS Sicily 15 37 200 km STOREDIST d",
         "ZRANGE d 0 -1 WITHSCORES", "GEORADIUS Sicily 15 37 200 km STORE d STOREDIST e",
         "ZRANGE e 0 -1 WITHSCORES", "EXISTS d",
         "GEORADIUSBYMEMBER Sicily Palermo 200 km STOREDIST e ASC COUNT 1",
         "ZRANGE e 0 -1 WITHSCORES", "GEORADIUS Sicily 15 37 1 km STORE e", "EXISTS e",
         "GEOSEARCHSTORE s Sicily FROMMEMBER Napoli BYBOX 800 800 km",
         "ZRANGE s 0 -1 WITHSCORES", "GEOSEARCHSTORE s Sicily FROMMEMBER Napoli BYBOX 800 800 km "
         "STOREDIST DESC COUNT 2", "ZRANGE s 0 -1 WITHSCORES",
         "GEOSEARCHSTORE s Sicily FROMLONLAT 0 0 BYRADIUS 1 km", "EXISTS s",
         "SET str v", "GEOSEARCHSTORE str Sicily FROMLONLAT 15 37 BYRADIUS 200 km", "TYPE str",
         "GEOSEARCHSTORE Sicily Sicily FROMLONLAT 15 37 BYRADIUS 200 km",
         "ZRANGE Sicily 0 -1 WITHSCORES")


def test_command_info_and_keys(pair23):
    for name in GEO_COMMANDS:
        same(pair23, ["COMMAND", "INFO", name])
    same(pair23, "COMMAND GETKEYS GEORADIUS k 1 1 1 km STORE d",
         "COMMAND GETKEYS GEORADIUS k 1 1 1 km STORE d STOREDIST e",
         "COMMAND GETKEYS GEORADIUSBYMEMBER k m 1 km STOREDIST d",
         "COMMAND GETKEYS GEORADIUS k 1 1 1 km", "COMMAND GETKEYS GEOSEARCHSTORE d s FROMLONLAT 1 1 "
         "BYRADIUS 1 km", "COMMAND GETKEYS GEOADD k 1 1 m", "COMMAND GETKEYS GEOSEARCH k x",
         "COMMAND GETKEYSANDFLAGS GEORADIUS k 1 1 1 km STORE d")


def _points(rng, n, lon0, lat0, spread):
    args = []
    for i in range(n):
        lon = max(-180, min(180, lon0 + rng.uniform(-spread, spread)))
        lat = max(-85, min(85, lat0 + rng.uniform(-spread / 2, spread / 2)))
        args += [f"{lon:.6f}", f"{lat:.6f}", f"p{i}"]
    return args


@pytest.mark.parametrize("region", [(13.4, 52.5, 3), (-73.9, 40.7, 1), (151.2, -33.9, 20),
                                    (0, 0, 0.5), (179.5, 10, 3), (25, 70, 10), (-60, -78, 8),
                                    (10, 45, 120)])
def test_random_points_byte_for_byte(pair, region):
    lon0, lat0, spread = region
    rng = random.Random(hash(region) & 0xffff)
    same(pair, ["GEOADD", "pts"] + _points(rng, 300, lon0, lat0, spread))
    same(pair, "ZRANGE pts 0 -1 WITHSCORES", "GEOPOS pts p0 p1 p2 p299", "GEOHASH pts p3 p4")
    for _ in range(12):
        lon = max(-180, min(180, lon0 + rng.uniform(-spread, spread)))
        lat = max(-85, min(85, lat0 + rng.uniform(-spread / 2, spread / 2)))
        radius = rng.choice([0.5, 5, 20, 80, 250, 1000, 4000])
        w, h = rng.choice([1, 10, 60, 300, 2000]), rng.choice([1, 10, 60, 300, 2000])
        member = f"p{rng.randrange(300)}"
        same(pair, f"GEOSEARCH pts FROMLONLAT {lon:.5f} {lat:.5f} BYRADIUS {radius} km",
             f"GEOSEARCH pts FROMLONLAT {lon:.5f} {lat:.5f} BYRADIUS {radius} km WITHDIST "
             "WITHCOORD WITHHASH",
             f"GEOSEARCH pts FROMMEMBER {member} BYBOX {w} {h} km",
             f"GEOSEARCH pts FROMMEMBER {member} BYBOX {w} {h} km ASC WITHDIST",
             f"GEOSEARCH pts FROMLONLAT {lon:.5f} {lat:.5f} BYRADIUS {radius} km COUNT 5",
             f"GEOSEARCH pts FROMLONLAT {lon:.5f} {lat:.5f} BYRADIUS {radius} km COUNT 7 ANY",
             f"GEORADIUSBYMEMBER pts {member} {radius} mi DESC WITHDIST",
             f"GEODIST pts {member} p0 km", f"GEODIST pts {member} p1 ft")


def test_big_set_is_skiplist_encoded(pair):
    rng = random.Random(5)
    same(pair, ["GEOADD", "big"] + _points(rng, 400, 2.35, 48.85, 1), "OBJECT ENCODING big",
         "GEOSEARCH big FROMLONLAT 2.35 48.85 BYRADIUS 30 km",
         "GEOSEARCH big FROMLONLAT 2.35 48.85 BYBOX 40 20 km DESC COUNT 10 WITHDIST",
         "GEOSEARCHSTORE out big FROMLONLAT 2.35 48.85 BYRADIUS 60 km STOREDIST",
         "ZRANGE out 0 -1 WITHSCORES", "OBJECT ENCODING out")


def test_world_wide_radii(pair):
    """Huge radii and boxes: coarse steps, neighbour cells that repeat, the poles and the
    antimeridian."""
    rng = random.Random(17)
    same(pair, ["GEOADD", "world"] + _points(rng, 400, 0, 0, 180))
    for lon, lat in [(0, 0), (179.9, 0), (-179.9, 60), (10, 84), (-30, -84.9), (90, 45)]:
        for radius in [1000, 5000, 9000, 15000, 20000]:
            same(pair, f"GEOSEARCH world FROMLONLAT {lon} {lat} BYRADIUS {radius} km",
                 f"GEOSEARCH world FROMLONLAT {lon} {lat} BYBOX {radius} {radius / 2} km "
                 "WITHDIST")


def test_command_docs_groups(pair):
    for name in GEO_COMMANDS:
        pair.same_by(group_and_since, ["COMMAND", "DOCS", name])
