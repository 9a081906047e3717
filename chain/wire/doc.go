// Package wire owns nodecoin's primitive data types and their exact Bitcoin
// binary encoding: hashes, compact-size integers, legacy transactions, 80-byte
// block headers, blocks and merkle trees.
//
// Every decoder here reads untrusted bytes. Decoders refuse trailing bytes,
// non-canonical compact sizes and element counts that could not fit in the
// bytes that remain, so a hostile input can never make them allocate more
// than a small multiple of its own length.
//
// The package depends on nothing else in nodecoin.
package wire
