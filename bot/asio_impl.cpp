// The one translation unit that compiles Asio's and Beast's implementation (separate
// compilation: every other file that uses them only instantiates templates).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
