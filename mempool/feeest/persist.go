package feeest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// FileVersion is the version of the format Save writes and Load reads.
const FileVersion = 1

// fileMagic opens every fee estimates file.
const fileMagic = "NCFEEST\x00"

// maxFileCount is the largest count Load accepts: far above any decayed
// count a real node reaches (a thousand transactions a block decay to at
// most 500,000), far below where float64 arithmetic gets coarse.
const maxFileCount = 1e12

// headerSize is the size of the magic, version, bucket count, bin count and
// last height.
const headerSize = len(fileMagic) + 4*4

// fileSize is the size of every fee estimates file of this version.
var fileSize = headerSize + 8*numBuckets*numBins + sha256.Size

// Save writes the estimator's statistics (the decayed counts and the last
// block height, not the tracked mempool transactions) to w in the versioned,
// checksummed format the package documentation describes.
func (e *Estimator) Save(w io.Writer) error {
	e.mu.Lock()
	buf := e.encodeLocked()
	e.mu.Unlock()
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("feeest: save: %w", err)
	}
	return nil
}

// encodeLocked returns the estimator's statistics in the file format.
func (e *Estimator) encodeLocked() []byte {
	buf := make([]byte, 0, fileSize)
	buf = append(buf, fileMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, FileVersion)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(numBuckets))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(numBins))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(e.best))
	for _, v := range e.conf {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...)
}

// Load replaces the estimator's state with the statistics Save wrote to r;
// tracked mempool transactions are forgotten. A file that is not a valid fee
// estimates file of this version and layout gives an error saying what is
// wrong, and leaves the estimator empty.
func (e *Estimator) Load(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, int64(fileSize)+1))
	var best int32
	var conf []float64
	if err != nil {
		err = fmt.Errorf("feeest: load: %w", err)
	} else {
		best, conf, err = decodeFile(data)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetLocked()
	if err != nil {
		return err
	}
	e.best, e.conf = best, conf
	return nil
}

// decodeFile checks and decodes a whole fee estimates file.
func decodeFile(data []byte) (best int32, conf []float64, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) >= len(fileMagic) && !bytes.Equal(data[:len(fileMagic)], []byte(fileMagic)),
		len(data) < len(fileMagic) && !bytes.HasPrefix([]byte(fileMagic), data):
		return 0, nil, fmt.Errorf("feeest: load: not a fee estimates file (bad magic)")
	case len(data) < headerSize:
		return 0, nil, fmt.Errorf("feeest: load: truncated file: %d bytes, want %d", len(data), fileSize)
	}
	if v := le.Uint32(data[8:]); v != FileVersion {
		return 0, nil, fmt.Errorf("feeest: load: unsupported file version %d, want %d", v, FileVersion)
	}
	if nb, nbins := le.Uint32(data[12:]), le.Uint32(data[16:]); nb != uint32(numBuckets) || nbins != uint32(numBins) {
		return 0, nil, fmt.Errorf("feeest: load: file layout is %d buckets x %d bins, want %d x %d",
			nb, nbins, numBuckets, numBins)
	}
	switch {
	case len(data) < fileSize:
		return 0, nil, fmt.Errorf("feeest: load: truncated file: %d bytes, want %d", len(data), fileSize)
	case len(data) > fileSize:
		return 0, nil, fmt.Errorf("feeest: load: trailing data after %d bytes", fileSize)
	}
	body := data[:fileSize-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(body):]) {
		return 0, nil, fmt.Errorf("feeest: load: checksum mismatch: file is corrupt")
	}
	best = int32(le.Uint32(data[20:]))
	if best < -1 {
		return 0, nil, fmt.Errorf("feeest: load: invalid last block height %d", best)
	}
	conf = make([]float64, numBuckets*numBins)
	for i := range conf {
		v := math.Float64frombits(le.Uint64(body[headerSize+8*i:]))
		if !(v >= 0 && v <= maxFileCount) { // also refuses NaN
			return 0, nil, fmt.Errorf("feeest: load: invalid count %v (bucket %d, bin %d)", v, i/numBins, i%numBins)
		}
		conf[i] = v
	}
	return best, conf, nil
}
