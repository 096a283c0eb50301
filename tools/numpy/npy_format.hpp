// NumPy's .npy format, version 1.0, for the arrays losslab's tools write (export-model,
// losslab-export-splits): the
// magic "\x93NUMPY", the version bytes 1 0, a little-endian uint16 header length, then the header
// -- a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with
// spaces and ended by '\n' so that the data starts at a multiple of 64 bytes -- then the raw
// data. The format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Only what the tools write: little-endian float32 ('<f4'), int32 ('<i4') and int64 ('<i8'), bool
// ('|b1') and fixed-width unicode ('<U{n}': n UTF-32LE code points per element, zero-padded), all
// of which np.load reads without allow_pickle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace losslab::npy {

// An array's .npy bytes. `shape` {} is a 0-d array (a scalar), {n} a vector, {rows, cols} a
// matrix whose `data` is column-major when `fortran_order`, else row-major.
std::string floats(const std::vector<std::size_t>& shape, const float* data, bool fortran_order = false);
std::string int32s(const std::vector<std::size_t>& shape, const std::int32_t* data);
std::string int64s(const std::vector<std::size_t>& shape, const std::int64_t* data);
std::string boolean(bool value);  // a 0-d bool array
// UTF-8 strings as a '<U{n}' array of shape `shape` (product = strings.size()), n the longest's
// code points (at least 1). Throws std::invalid_argument for text that is not UTF-8.
std::string strings(const std::vector<std::size_t>& shape, const std::vector<std::string>& utf8);
std::string string(const std::string& utf8);  // a 0-d '<U{n}' array

}  // namespace losslab::npy
