package message

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Protocol constants.
const (
	// ProtocolVersion is the protocol version nodecoin announces (Bitcoin
	// Core's 70016, which introduced wtxidrelay).
	ProtocolVersion int32 = 70016
	// MinPeerVersion is the oldest protocol version nodecoin accepts from a
	// peer (70001, BIP37's relay flag).
	MinPeerVersion int32 = 70001
	// ServiceNodeNetwork is the NODE_NETWORK service bit: the node serves
	// the full block chain. nodecoin announces it alone (no NODE_WITNESS).
	ServiceNodeNetwork uint64 = 1
	// MaxUserAgentLength is the longest user agent a version message may
	// carry, Bitcoin Core's MAX_SUBVERSION_LENGTH.
	MaxUserAgentLength = 256
	// MaxInvEntries is the most entries an inv, getdata or notfound message
	// may carry, Bitcoin Core's MAX_INV_SZ.
	MaxInvEntries = 50_000
	// MaxLocatorHashes is the most hashes a getheaders or getblocks locator
	// may carry, Bitcoin Core's MAX_LOCATOR_SZ.
	MaxLocatorHashes = 101
	// MaxHeaders is the most headers a headers message may carry, Bitcoin
	// Core's MAX_HEADERS_RESULTS.
	MaxHeaders = 2_000
	// MaxAddresses is the most addresses an addr message may carry, Bitcoin
	// Core's MAX_ADDR_TO_SEND.
	MaxAddresses = 1_000
)

// Commands of the messages this package decodes.
const (
	CmdVersion     = "version"     // version message
	CmdVerAck      = "verack"      // verack message
	CmdPing        = "ping"        // ping message
	CmdPong        = "pong"        // pong message
	CmdInv         = "inv"         // inv message
	CmdGetData     = "getdata"     // getdata message
	CmdNotFound    = "notfound"    // notfound message
	CmdGetHeaders  = "getheaders"  // getheaders message
	CmdGetBlocks   = "getblocks"   // getblocks message
	CmdHeaders     = "headers"     // headers message
	CmdBlock       = "block"       // block message
	CmdTx          = "tx"          // tx message
	CmdAddr        = "addr"        // addr message
	CmdGetAddr     = "getaddr"     // getaddr message
	CmdMemPool     = "mempool"     // mempool message
	CmdSendHeaders = "sendheaders" // sendheaders message
	CmdFeeFilter   = "feefilter"   // feefilter message
)

// ErrNonZeroTxCount means a headers message followed a header with a
// transaction count other than a single 0x00 byte.
var ErrNonZeroTxCount = errors.New("headers entry with non-zero transaction count")

// UserAgent returns the user agent nodecoin announces for a release:
// "/nodecoin:<version>/".
func UserAgent(version string) string { return "/nodecoin:" + version + "/" }

// Message is a decoded P2P message payload.
type Message interface {
	// Command returns the message's command, e.g. "version".
	Command() string
	// Encode returns the payload's serialization.
	Encode() []byte
	// Decode replaces the message with the one payload encodes, refusing
	// trailing bytes and counts beyond the protocol limits. The result does
	// not alias payload.
	Decode(payload []byte) error
}

// New returns an empty message of the type that command names, or an
// *Unknown carrying command for commands this package does not model.
func New(command string) Message {
	switch command {
	case CmdVersion:
		return &Version{}
	case CmdVerAck:
		return &VerAck{}
	case CmdPing:
		return &Ping{}
	case CmdPong:
		return &Pong{}
	case CmdInv:
		return &Inv{}
	case CmdGetData:
		return &GetData{}
	case CmdNotFound:
		return &NotFound{}
	case CmdGetHeaders:
		return &GetHeaders{}
	case CmdGetBlocks:
		return &GetBlocks{}
	case CmdHeaders:
		return &Headers{}
	case CmdBlock:
		return &Block{}
	case CmdTx:
		return &Tx{}
	case CmdAddr:
		return &Addr{}
	case CmdGetAddr:
		return &GetAddr{}
	case CmdMemPool:
		return &MemPool{}
	case CmdSendHeaders:
		return &SendHeaders{}
	case CmdFeeFilter:
		return &FeeFilter{}
	}
	return &Unknown{Cmd: command}
}

// DecodeMessage decodes payload as the message command names; commands this
// package does not model decode to an *Unknown.
func DecodeMessage(command string, payload []byte) (Message, error) {
	m := New(command)
	if err := m.Decode(payload); err != nil {
		return nil, err
	}
	return m, nil
}

// NetAddress is a network address as messages carry it without a time:
// services, a 16-byte IPv6 (or IPv4-mapped) address and a port.
type NetAddress struct {
	Services uint64
	IP       [16]byte
	Port     uint16
}

const netAddressSize = 8 + 16 + 2

// NetAddressFrom returns the NetAddress of ap with services; IPv4 addresses
// are stored IPv4-mapped, as the protocol requires.
func NetAddressFrom(ap netip.AddrPort, services uint64) NetAddress {
	return NetAddress{Services: services, IP: ap.Addr().As16(), Port: ap.Port()}
}

// AddrPort returns the address and port, IPv4-mapped addresses unmapped.
func (a NetAddress) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom16(a.IP).Unmap(), a.Port)
}

func (a *NetAddress) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, a.Services)
	b = append(b, a.IP[:]...)
	return binary.BigEndian.AppendUint16(b, a.Port)
}

func (d *decoder) netAddress(what string) (a NetAddress) {
	a.Services = d.uint64(what + " services")
	if b := d.bytes(16, what+" ip"); b != nil {
		a.IP = [16]byte(b)
	}
	a.Port = d.uint16BE(what + " port")
	return a
}

// TimedNetAddress is an addr message entry: a NetAddress with the time it
// was last seen, in Unix seconds.
type TimedNetAddress struct {
	Time uint32
	NetAddress
}

const timedNetAddressSize = 4 + netAddressSize

// Version is the version message that opens a connection. Relay is BIP37's
// trailing flag; peers that omit it (allowed for old versions) decode with
// Relay true, Bitcoin Core's default, and Encode always writes it.
type Version struct {
	ProtocolVersion int32
	Services        uint64
	Timestamp       int64
	AddrRecv        NetAddress
	AddrFrom        NetAddress
	Nonce           uint64
	UserAgent       string
	StartHeight     int32
	Relay           bool
}

// Command returns "version".
func (*Version) Command() string { return CmdVersion }

// Encode returns the payload, relay flag included. A user agent longer than
// MaxUserAgentLength is encoded as is and will be refused by decoders.
func (m *Version) Encode() []byte {
	b := make([]byte, 0, 4+8+8+2*netAddressSize+8+3+len(m.UserAgent)+4+1)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.ProtocolVersion))
	b = binary.LittleEndian.AppendUint64(b, m.Services)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Timestamp))
	b = m.AddrRecv.appendTo(b)
	b = m.AddrFrom.appendTo(b)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = wire.AppendCompactSize(b, uint64(len(m.UserAgent)))
	b = append(b, m.UserAgent...)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.StartHeight))
	relay := byte(0)
	if m.Relay {
		relay = 1
	}
	return append(b, relay)
}

// Decode decodes a version payload. Every field through the start height is
// required; the relay byte is optional and, when present, any non-zero value
// means true, as in Bitcoin Core. It does not check ProtocolVersion against
// MinPeerVersion: that is the peer's policy.
func (m *Version) Decode(payload []byte) error {
	d := &decoder{buf: payload}
	v := Version{
		ProtocolVersion: int32(d.uint32("protocol version")),
		Services:        d.uint64("services"),
		Timestamp:       int64(d.uint64("timestamp")),
		AddrRecv:        d.netAddress("addr_recv"),
		AddrFrom:        d.netAddress("addr_from"),
		Nonce:           d.uint64("nonce"),
	}
	n := d.count(1, MaxUserAgentLength, "user agent length")
	v.UserAgent = string(d.bytes(n, "user agent"))
	v.StartHeight = int32(d.uint32("start height"))
	v.Relay = true
	if d.err == nil && d.remaining() > 0 {
		v.Relay = d.uint8("relay") != 0
	}
	if err := d.finish(CmdVersion); err != nil {
		return err
	}
	*m = v
	return nil
}

// emptyDecode refuses a non-empty payload for a message that has none.
func emptyDecode(command string, payload []byte) error {
	d := &decoder{buf: payload}
	return d.finish(command)
}

// VerAck is the verack message acknowledging a version; it has no payload.
type VerAck struct{}

// Command returns "verack".
func (*VerAck) Command() string { return CmdVerAck }

// Encode returns the empty payload.
func (*VerAck) Encode() []byte { return []byte{} }

// Decode accepts only an empty payload.
func (*VerAck) Decode(payload []byte) error { return emptyDecode(CmdVerAck, payload) }

// GetAddr is the getaddr message asking for known addresses; it has no
// payload.
type GetAddr struct{}

// Command returns "getaddr".
func (*GetAddr) Command() string { return CmdGetAddr }

// Encode returns the empty payload.
func (*GetAddr) Encode() []byte { return []byte{} }

// Decode accepts only an empty payload.
func (*GetAddr) Decode(payload []byte) error { return emptyDecode(CmdGetAddr, payload) }

// MemPool is the mempool message asking for an inv of the peer's mempool; it
// has no payload.
type MemPool struct{}

// Command returns "mempool".
func (*MemPool) Command() string { return CmdMemPool }

// Encode returns the empty payload.
func (*MemPool) Encode() []byte { return []byte{} }

// Decode accepts only an empty payload.
func (*MemPool) Decode(payload []byte) error { return emptyDecode(CmdMemPool, payload) }

// SendHeaders is BIP130's sendheaders message asking for new blocks to be
// announced with headers rather than inv; it has no payload.
type SendHeaders struct{}

// Command returns "sendheaders".
func (*SendHeaders) Command() string { return CmdSendHeaders }

// Encode returns the empty payload.
func (*SendHeaders) Encode() []byte { return []byte{} }

// Decode accepts only an empty payload.
func (*SendHeaders) Decode(payload []byte) error { return emptyDecode(CmdSendHeaders, payload) }

func decodeUint64(command string, payload []byte) (uint64, error) {
	d := &decoder{buf: payload}
	v := d.uint64("value")
	return v, d.finish(command)
}

// Ping is the ping message; the peer answers with a Pong of the same nonce.
type Ping struct {
	Nonce uint64
}

// Command returns "ping".
func (*Ping) Command() string { return CmdPing }

// Encode returns the 8-byte nonce.
func (m *Ping) Encode() []byte { return binary.LittleEndian.AppendUint64(nil, m.Nonce) }

// Decode decodes exactly an 8-byte nonce (pre-BIP31 empty pings predate
// MinPeerVersion and are refused).
func (m *Ping) Decode(payload []byte) error {
	v, err := decodeUint64(CmdPing, payload)
	if err == nil {
		m.Nonce = v
	}
	return err
}

// Pong is the pong message answering a Ping.
type Pong struct {
	Nonce uint64
}

// Command returns "pong".
func (*Pong) Command() string { return CmdPong }

// Encode returns the 8-byte nonce.
func (m *Pong) Encode() []byte { return binary.LittleEndian.AppendUint64(nil, m.Nonce) }

// Decode decodes exactly an 8-byte nonce.
func (m *Pong) Decode(payload []byte) error {
	v, err := decodeUint64(CmdPong, payload)
	if err == nil {
		m.Nonce = v
	}
	return err
}

// FeeFilter is BIP133's feefilter message: the lowest fee rate, in base
// units per 1,000 bytes, of transactions the peer wants announced. The codec
// accepts any value; range checks are the peer's policy.
type FeeFilter struct {
	FeeRate int64
}

// Command returns "feefilter".
func (*FeeFilter) Command() string { return CmdFeeFilter }

// Encode returns the 8-byte fee rate.
func (m *FeeFilter) Encode() []byte {
	return binary.LittleEndian.AppendUint64(nil, uint64(m.FeeRate))
}

// Decode decodes exactly an 8-byte fee rate.
func (m *FeeFilter) Decode(payload []byte) error {
	v, err := decodeUint64(CmdFeeFilter, payload)
	if err == nil {
		m.FeeRate = int64(v)
	}
	return err
}

// InvType is the type of an inventory vector.
type InvType uint32

// Inventory types.
const (
	InvTypeError         InvType = 0          // ERROR: ignored
	InvTypeTx            InvType = 1          // MSG_TX
	InvTypeBlock         InvType = 2          // MSG_BLOCK
	InvTypeFilteredBlock InvType = 3          // MSG_FILTERED_BLOCK (BIP37)
	InvTypeCmpctBlock    InvType = 4          // MSG_CMPCT_BLOCK (BIP152)
	InvTypeWTx           InvType = 5          // MSG_WTX (BIP339)
	InvTypeWitnessTx     InvType = 0x40000001 // MSG_WITNESS_TX (BIP144)
	InvTypeWitnessBlock  InvType = 0x40000002 // MSG_WITNESS_BLOCK (BIP144)
)

// InvVect names one object: its type and hash (txid or block hash, internal
// byte order).
type InvVect struct {
	Type InvType
	Hash wire.Hash
}

const invVectSize = 4 + wire.HashSize

func encodeInv(list []InvVect) []byte {
	b := make([]byte, 0, 9+len(list)*invVectSize)
	b = wire.AppendCompactSize(b, uint64(len(list)))
	for _, v := range list {
		b = binary.LittleEndian.AppendUint32(b, uint32(v.Type))
		b = append(b, v.Hash[:]...)
	}
	return b
}

func decodeInv(command string, payload []byte) ([]InvVect, error) {
	d := &decoder{buf: payload}
	list := make([]InvVect, d.count(invVectSize, MaxInvEntries, "inventory count"))
	for i := range list {
		list[i].Type = InvType(d.uint32("inventory type"))
		list[i].Hash = d.hash("inventory hash")
	}
	if err := d.finish(command); err != nil {
		return nil, err
	}
	return list, nil
}

// Inv is the inv message announcing objects, at most MaxInvEntries.
type Inv struct {
	List []InvVect
}

// Command returns "inv".
func (*Inv) Command() string { return CmdInv }

// Encode returns the payload.
func (m *Inv) Encode() []byte { return encodeInv(m.List) }

// Decode decodes an inventory list of at most MaxInvEntries.
func (m *Inv) Decode(payload []byte) error {
	l, err := decodeInv(CmdInv, payload)
	if err == nil {
		m.List = l
	}
	return err
}

// GetData is the getdata message requesting objects, at most MaxInvEntries.
type GetData struct {
	List []InvVect
}

// Command returns "getdata".
func (*GetData) Command() string { return CmdGetData }

// Encode returns the payload.
func (m *GetData) Encode() []byte { return encodeInv(m.List) }

// Decode decodes an inventory list of at most MaxInvEntries.
func (m *GetData) Decode(payload []byte) error {
	l, err := decodeInv(CmdGetData, payload)
	if err == nil {
		m.List = l
	}
	return err
}

// NotFound is the notfound message answering a getdata for objects the node
// does not have, at most MaxInvEntries.
type NotFound struct {
	List []InvVect
}

// Command returns "notfound".
func (*NotFound) Command() string { return CmdNotFound }

// Encode returns the payload.
func (m *NotFound) Encode() []byte { return encodeInv(m.List) }

// Decode decodes an inventory list of at most MaxInvEntries.
func (m *NotFound) Decode(payload []byte) error {
	l, err := decodeInv(CmdNotFound, payload)
	if err == nil {
		m.List = l
	}
	return err
}

// BlockLocator is the body of getheaders and getblocks: the sender's
// protocol version, block hashes from its tip backwards (at most
// MaxLocatorHashes) and the hash to stop at (zero for as many as allowed).
type BlockLocator struct {
	Version  uint32
	Locator  []wire.Hash
	HashStop wire.Hash
}

func (l *BlockLocator) encode() []byte {
	b := make([]byte, 0, 4+9+len(l.Locator)*wire.HashSize+wire.HashSize)
	b = binary.LittleEndian.AppendUint32(b, l.Version)
	b = wire.AppendCompactSize(b, uint64(len(l.Locator)))
	for _, h := range l.Locator {
		b = append(b, h[:]...)
	}
	return append(b, l.HashStop[:]...)
}

func (l *BlockLocator) decode(command string, payload []byte) error {
	d := &decoder{buf: payload}
	v := BlockLocator{Version: d.uint32("version")}
	v.Locator = make([]wire.Hash, d.count(wire.HashSize, MaxLocatorHashes, "locator count"))
	for i := range v.Locator {
		v.Locator[i] = d.hash("locator hash")
	}
	v.HashStop = d.hash("stop hash")
	if err := d.finish(command); err != nil {
		return err
	}
	*l = v
	return nil
}

// GetHeaders is the getheaders message asking for up to MaxHeaders headers
// after the first locator hash the peer knows.
type GetHeaders struct {
	BlockLocator
}

// Command returns "getheaders".
func (*GetHeaders) Command() string { return CmdGetHeaders }

// Encode returns the payload.
func (m *GetHeaders) Encode() []byte { return m.encode() }

// Decode decodes a locator of at most MaxLocatorHashes hashes.
func (m *GetHeaders) Decode(payload []byte) error { return m.decode(CmdGetHeaders, payload) }

// GetBlocks is the getblocks message asking for an inv of up to 500 block
// hashes after the first locator hash the peer knows.
type GetBlocks struct {
	BlockLocator
}

// Command returns "getblocks".
func (*GetBlocks) Command() string { return CmdGetBlocks }

// Encode returns the payload.
func (m *GetBlocks) Encode() []byte { return m.encode() }

// Decode decodes a locator of at most MaxLocatorHashes hashes.
func (m *GetBlocks) Decode(payload []byte) error { return m.decode(CmdGetBlocks, payload) }

// Headers is the headers message: at most MaxHeaders block headers, each
// followed on the wire by a transaction count that is always 0x00.
type Headers struct {
	Headers []wire.BlockHeader
}

// Command returns "headers".
func (*Headers) Command() string { return CmdHeaders }

// Encode returns the payload, a 0x00 transaction count after each header.
func (m *Headers) Encode() []byte {
	b := make([]byte, 0, 9+len(m.Headers)*(wire.HeaderSize+1))
	b = wire.AppendCompactSize(b, uint64(len(m.Headers)))
	for i := range m.Headers {
		b = m.Headers[i].AppendTo(b)
		b = append(b, 0)
	}
	return b
}

// Decode decodes at most MaxHeaders headers, refusing any whose
// transaction count is not a single 0x00 byte (ErrNonZeroTxCount).
func (m *Headers) Decode(payload []byte) error {
	d := &decoder{buf: payload}
	hs := make([]wire.BlockHeader, d.count(wire.HeaderSize+1, MaxHeaders, "header count"))
	for i := range hs {
		b := d.bytes(wire.HeaderSize, "header")
		if b == nil {
			break
		}
		h, err := wire.DecodeHeader(b)
		if err != nil {
			d.fail("header", err)
			break
		}
		hs[i] = h
		if n := d.compactSize("header transaction count"); d.err == nil && n != 0 {
			d.fail(fmt.Sprintf("header %d", i), fmt.Errorf("count %d: %w", n, ErrNonZeroTxCount))
		}
	}
	if err := d.finish(CmdHeaders); err != nil {
		return err
	}
	m.Headers = hs
	return nil
}

// Block is the block message carrying one whole block.
type Block struct {
	Block *wire.Block
}

// Command returns "block".
func (*Block) Command() string { return CmdBlock }

// Encode returns the block's serialization; Block must not be nil.
func (m *Block) Encode() []byte { return m.Block.Serialize() }

// Decode decodes exactly one block.
func (m *Block) Decode(payload []byte) error {
	b, err := wire.DecodeBlock(payload)
	if err != nil {
		return fmt.Errorf("%s message: %w", CmdBlock, err)
	}
	m.Block = b
	return nil
}

// Tx is the tx message carrying one transaction.
type Tx struct {
	Tx *wire.Tx
}

// Command returns "tx".
func (*Tx) Command() string { return CmdTx }

// Encode returns the transaction's serialization; Tx must not be nil.
func (m *Tx) Encode() []byte { return m.Tx.Serialize() }

// Decode decodes exactly one legacy transaction.
func (m *Tx) Decode(payload []byte) error {
	t, err := wire.DecodeTx(payload)
	if err != nil {
		return fmt.Errorf("%s message: %w", CmdTx, err)
	}
	m.Tx = t
	return nil
}

// Addr is the addr message relaying at most MaxAddresses peer addresses.
type Addr struct {
	Addresses []TimedNetAddress
}

// Command returns "addr".
func (*Addr) Command() string { return CmdAddr }

// Encode returns the payload.
func (m *Addr) Encode() []byte {
	b := make([]byte, 0, 9+len(m.Addresses)*timedNetAddressSize)
	b = wire.AppendCompactSize(b, uint64(len(m.Addresses)))
	for i := range m.Addresses {
		b = binary.LittleEndian.AppendUint32(b, m.Addresses[i].Time)
		b = m.Addresses[i].appendTo(b)
	}
	return b
}

// Decode decodes at most MaxAddresses timed addresses.
func (m *Addr) Decode(payload []byte) error {
	d := &decoder{buf: payload}
	as := make([]TimedNetAddress, d.count(timedNetAddressSize, MaxAddresses, "address count"))
	for i := range as {
		as[i].Time = d.uint32("address time")
		as[i].NetAddress = d.netAddress("address")
	}
	if err := d.finish(CmdAddr); err != nil {
		return err
	}
	m.Addresses = as
	return nil
}

// Unknown is a message whose command this package does not model (for
// example sendcmpct, wtxidrelay or sendaddrv2); the node ignores it. Its
// payload is kept verbatim.
type Unknown struct {
	Cmd     string
	Payload []byte
}

// Command returns the message's command.
func (m *Unknown) Command() string { return m.Cmd }

// Encode returns the payload as received.
func (m *Unknown) Encode() []byte { return bytes.Clone(m.Payload) }

// Decode keeps a copy of payload; it never fails.
func (m *Unknown) Decode(payload []byte) error {
	m.Payload = append([]byte{}, payload...)
	return nil
}
