/* One line per unit test suite: SUITE(name) runs suite_name(). */
SUITE(buf)
SUITE(md5)
SUITE(json)
SUITE(proto)
SUITE(path)
SUITE(util)
SUITE(pkcs8)
SUITE(report)
