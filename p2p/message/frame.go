package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

// Framing sizes.
const (
	// HeaderSize is the size of a message header: magic, command, payload
	// length and checksum.
	HeaderSize = 24
	// CommandSize is the size of the NUL-padded command field.
	CommandSize = 12
	// MaxProtocolMessageLength is the largest payload accepted for any
	// command, Bitcoin Core's MAX_PROTOCOL_MESSAGE_LENGTH (4,000,000 bytes).
	// It applies to commands the node does not understand.
	MaxProtocolMessageLength = 4_000_000
)

var (
	// ErrBadMagic means a message header began with another network's magic.
	ErrBadMagic = errors.New("bad network magic")
	// ErrBadCommand means a command was empty, longer than 12 bytes, held
	// bytes outside printable ASCII, or held bytes after its NUL padding.
	ErrBadCommand = errors.New("bad command")
	// ErrPayloadTooLarge means a payload length exceeded the command's limit.
	ErrPayloadTooLarge = errors.New("payload too large")
	// ErrBadChecksum means a payload did not match its header's checksum.
	ErrBadChecksum = errors.New("bad payload checksum")
)

// Checksum returns the first four bytes of SHA-256d(payload), the value a
// message header carries.
func Checksum(payload []byte) [4]byte {
	h1 := sha256.Sum256(payload)
	h2 := sha256.Sum256(h1[:])
	return [4]byte(h2[:4])
}

// MaxPayload returns the largest payload, in bytes, that ReadMessage accepts
// for command when passed as its limit function. The limits follow the
// largest valid message of each kind:
//
//	version                         1,024 (a maximal one is 344 bytes)
//	verack getaddr mempool sendheaders  0
//	ping pong feefilter                 8
//	inv getdata notfound            9 + 50,000×36 = 1,800,009
//	getheaders getblocks            4 + 9 + 101×32 + 32 = 3,277
//	headers                         9 + 2,000×81 = 162,009
//	addr                            9 + 1,000×30 = 30,009
//	tx block                        consensus.MaxBlockSize (1,000,000)
//	anything else                   MaxProtocolMessageLength (4,000,000)
//
// A serialized transaction or block larger than consensus.MaxBlockSize can
// never be valid, so refusing it at the framing layer loses nothing.
func MaxPayload(command string) uint32 {
	switch command {
	case CmdVersion:
		return 1024
	case CmdVerAck, CmdGetAddr, CmdMemPool, CmdSendHeaders:
		return 0
	case CmdPing, CmdPong, CmdFeeFilter:
		return 8
	case CmdInv, CmdGetData, CmdNotFound:
		return 9 + MaxInvEntries*invVectSize
	case CmdGetHeaders, CmdGetBlocks:
		return 4 + 9 + MaxLocatorHashes*32 + 32
	case CmdHeaders:
		return 9 + MaxHeaders*(80+1)
	case CmdAddr:
		return 9 + MaxAddresses*timedNetAddressSize
	case CmdTx, CmdBlock:
		return consensus.MaxBlockSize
	}
	return MaxProtocolMessageLength
}

// validCommand reports whether c is a non-empty command of printable ASCII
// (0x20–0x7e) that fits in the command field.
func validCommand(c string) bool {
	if c == "" || len(c) > CommandSize {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 0x20 || c[i] > 0x7e {
			return false
		}
	}
	return true
}

// parseCommand extracts the command from the 12-byte field: printable ASCII
// followed only by NULs, at least one printable byte.
func parseCommand(field []byte) (string, error) {
	n := bytes.IndexByte(field, 0)
	if n < 0 {
		n = len(field)
	}
	for _, c := range field[n:] {
		if c != 0 {
			return "", fmt.Errorf("command %q: byte after NUL padding: %w", field, ErrBadCommand)
		}
	}
	cmd := string(field[:n])
	if !validCommand(cmd) {
		return "", fmt.Errorf("command %q: %w", field, ErrBadCommand)
	}
	return cmd, nil
}

// ReadMessage reads one message from r and returns its command and payload.
// It checks, in order, the network magic, the command field, the payload
// length against maxPayload(command) (MaxPayload when maxPayload is nil),
// before allocating or reading the payload, and the checksum. A stream that
// ends cleanly before a header yields io.EOF; one that ends inside a message
// yields an error wrapping io.ErrUnexpectedEOF. The payload is not decoded;
// pass it to DecodeMessage or a message's Decode method.
func ReadMessage(r io.Reader, magic [4]byte, maxPayload func(command string) uint32) (command string, payload []byte, err error) {
	var hdr [HeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return "", nil, io.EOF
		}
		return "", nil, fmt.Errorf("read message header: %w", err)
	}
	if [4]byte(hdr[0:4]) != magic {
		return "", nil, fmt.Errorf("read message: magic %x, want %x: %w", hdr[0:4], magic, ErrBadMagic)
	}
	command, err = parseCommand(hdr[4:16])
	if err != nil {
		return "", nil, fmt.Errorf("read message: %w", err)
	}
	length := binary.LittleEndian.Uint32(hdr[16:20])
	if maxPayload == nil {
		maxPayload = MaxPayload
	}
	if limit := maxPayload(command); length > limit {
		return "", nil, fmt.Errorf("read message %s: %d bytes, limit %d: %w", command, length, limit, ErrPayloadTooLarge)
	}
	payload = make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", nil, fmt.Errorf("read message %s payload: %w", command, err)
	}
	if sum := Checksum(payload); sum != [4]byte(hdr[20:24]) {
		return "", nil, fmt.Errorf("read message %s: checksum %x, want %x: %w", command, hdr[20:24], sum, ErrBadChecksum)
	}
	return command, payload, nil
}

// AppendMessage appends the framed message (header then payload) to b. It
// fails, appending nothing, when command is not 1–12 printable ASCII bytes or
// the payload is longer than a header can announce.
func AppendMessage(b []byte, magic [4]byte, command string, payload []byte) ([]byte, error) {
	if !validCommand(command) {
		return b, fmt.Errorf("write message: command %q: %w", command, ErrBadCommand)
	}
	if uint64(len(payload)) > math.MaxUint32 {
		return b, fmt.Errorf("write message %s: %d bytes: %w", command, len(payload), ErrPayloadTooLarge)
	}
	b = append(b, magic[:]...)
	var cmd [CommandSize]byte
	copy(cmd[:], command)
	b = append(b, cmd[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	sum := Checksum(payload)
	b = append(b, sum[:]...)
	return append(b, payload...), nil
}

// WriteMessage frames payload under command and magic and writes it to w in
// a single Write call. It fails as AppendMessage does, writing nothing.
func WriteMessage(w io.Writer, magic [4]byte, command string, payload []byte) error {
	b, err := AppendMessage(make([]byte, 0, HeaderSize+len(payload)), magic, command, payload)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write message %s: %w", command, err)
	}
	return nil
}
