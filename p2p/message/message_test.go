package message

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

var mainMagic = [4]byte{0xf9, 0xbe, 0xb4, 0xd9}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hashN(n byte) (h wire.Hash) {
	for i := range h {
		h[i] = n + byte(i)
	}
	return h
}

func sampleTx() *wire.Tx {
	return &wire.Tx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Hash: hashN(7), Index: 3},
			SignatureScript:  []byte{0x51, 0x52},
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut:    []*wire.TxOut{{Value: 5_000_000_000, PkScript: []byte{0x76, 0xa9}}},
		LockTime: 17,
	}
}

func sampleHeader(n byte) wire.BlockHeader {
	return wire.BlockHeader{Version: 2, PrevBlock: hashN(n), MerkleRoot: hashN(n + 1),
		Timestamp: 1231006505 + uint32(n), Bits: 0x1d00ffff, Nonce: 2083236893 + uint32(n)}
}

func sampleMessages() []Message {
	addr := NetAddressFrom(netip.MustParseAddrPort("203.0.113.7:8333"), ServiceNodeNetwork)
	addr6 := NetAddressFrom(netip.MustParseAddrPort("[2001:db8::1]:18444"), 0)
	invs := []InvVect{{InvTypeTx, hashN(1)}, {InvTypeBlock, hashN(2)}, {InvTypeWitnessBlock, hashN(3)}}
	loc := BlockLocator{Version: uint32(ProtocolVersion), Locator: []wire.Hash{hashN(4), hashN(5)}, HashStop: hashN(6)}
	blk := &wire.Block{Header: sampleHeader(9), Transactions: []*wire.Tx{sampleTx(), sampleTx()}}
	return []Message{
		&Version{ProtocolVersion: ProtocolVersion, Services: ServiceNodeNetwork, Timestamp: 1700000000,
			AddrRecv: addr, AddrFrom: addr6, Nonce: 0x0123456789abcdef, UserAgent: UserAgent("0.1.0"),
			StartHeight: 840000, Relay: true},
		&Version{ProtocolVersion: MinPeerVersion, UserAgent: strings.Repeat("x", MaxUserAgentLength), Relay: false},
		&VerAck{}, &GetAddr{}, &MemPool{}, &SendHeaders{},
		&Ping{Nonce: 42}, &Pong{Nonce: 1<<64 - 1}, &FeeFilter{FeeRate: 1000},
		&Inv{List: invs}, &GetData{List: invs[:1]}, &NotFound{List: []InvVect{}},
		&GetHeaders{loc}, &GetBlocks{BlockLocator{Version: 70001, Locator: []wire.Hash{}, HashStop: wire.ZeroHash}},
		&Headers{Headers: []wire.BlockHeader{sampleHeader(1), sampleHeader(2)}}, &Headers{Headers: []wire.BlockHeader{}},
		&Block{Block: blk}, &Tx{Tx: sampleTx()},
		&Addr{Addresses: []TimedNetAddress{{Time: 1700000000, NetAddress: addr}, {Time: 1, NetAddress: addr6}}},
		&Unknown{Cmd: "sendcmpct", Payload: []byte{0, 1, 0, 0, 0, 0, 0, 0, 0}},
		&Unknown{Cmd: "wtxidrelay", Payload: []byte{}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		t.Run(m.Command(), func(t *testing.T) {
			payload := m.Encode()
			if uint64(len(payload)) > uint64(MaxPayload(m.Command())) {
				t.Fatalf("%d-byte payload exceeds MaxPayload %d", len(payload), MaxPayload(m.Command()))
			}
			var buf bytes.Buffer
			if err := WriteMessage(&buf, mainMagic, m.Command(), payload); err != nil {
				t.Fatal(err)
			}
			cmd, got, err := ReadMessage(&buf, mainMagic, MaxPayload)
			if err != nil {
				t.Fatal(err)
			}
			if cmd != m.Command() || !bytes.Equal(got, payload) || buf.Len() != 0 {
				t.Fatalf("framing round trip: %q %x", cmd, got)
			}
			dm, err := DecodeMessage(cmd, got)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(dm, m) {
				t.Fatalf("decoded %+v, want %+v", dm, m)
			}
			if !bytes.Equal(dm.Encode(), payload) {
				t.Fatal("re-encoding differs")
			}
		})
	}
}

// TestLimits round-trips the largest message of each bounded kind and
// checks one element more is refused.
func TestLimits(t *testing.T) {
	inv := make([]InvVect, MaxInvEntries)
	loc := make([]wire.Hash, MaxLocatorHashes)
	hdrs := make([]wire.BlockHeader, MaxHeaders)
	addrs := make([]TimedNetAddress, MaxAddresses)
	cases := []struct {
		max, over Message
	}{
		{&Inv{List: inv}, &Inv{List: append(inv, InvVect{})}},
		{&GetData{List: inv}, &GetData{List: append(inv, InvVect{})}},
		{&NotFound{List: inv}, &NotFound{List: append(inv, InvVect{})}},
		{&GetHeaders{BlockLocator{Locator: loc}}, &GetHeaders{BlockLocator{Locator: append(loc, wire.Hash{})}}},
		{&GetBlocks{BlockLocator{Locator: loc}}, &GetBlocks{BlockLocator{Locator: append(loc, wire.Hash{})}}},
		{&Headers{Headers: hdrs}, &Headers{Headers: append(hdrs, wire.BlockHeader{})}},
		{&Addr{Addresses: addrs}, &Addr{Addresses: append(addrs, TimedNetAddress{})}},
		{&Version{UserAgent: strings.Repeat("a", MaxUserAgentLength)}, &Version{UserAgent: strings.Repeat("a", MaxUserAgentLength+1)}},
	}
	for _, c := range cases {
		cmd := c.max.Command()
		p := c.max.Encode()
		if uint64(len(p)) > uint64(MaxPayload(cmd)) {
			t.Errorf("%s: maximal payload %d > MaxPayload %d", cmd, len(p), MaxPayload(cmd))
		}
		if err := New(cmd).Decode(p); err != nil {
			t.Errorf("%s: maximal message: %v", cmd, err)
		}
		if err := New(cmd).Decode(c.over.Encode()); !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: one over the limit: err %v, want ErrTooLarge", cmd, err)
		}
	}
}

// TestWikiVersion decodes the version message hexdump of the Bitcoin wiki's
// Protocol documentation (a Satoshi 0.7.2 node, protocol 60002, no relay
// byte), the same bytes several independent implementations test against.
func TestWikiVersion(t *testing.T) {
	raw := mustHex(t, "f9beb4d976657273696f6e0000000000640000003b648d5a"+
		"62ea0000010000000000000011b2d05000000000"+
		"010000000000000000000000000000000000ffff000000000000"+
		"010000000000000000000000000000000000ffff000000000000"+
		"3b2eb35d8ce61765"+"0f2f5361746f7368693a302e372e322f"+"c03e0300")
	cmd, payload, err := ReadMessage(bytes.NewReader(raw), mainMagic, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cmd != CmdVersion || len(payload) != 100 {
		t.Fatalf("command %q, %d bytes", cmd, len(payload))
	}
	m, err := DecodeMessage(cmd, payload)
	if err != nil {
		t.Fatal(err)
	}
	mapped := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	want := &Version{
		ProtocolVersion: 60002, Services: 1, Timestamp: 1355854353,
		AddrRecv: NetAddressFrom(mapped, 1), AddrFrom: NetAddressFrom(mapped, 1),
		Nonce: 0x6517e68c5db32e3b, UserAgent: "/Satoshi:0.7.2/", StartHeight: 212672, Relay: true,
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("decoded %+v\nwant    %+v", m, want)
	}
	if got := want.AddrRecv.AddrPort(); got != mapped {
		t.Errorf("AddrPort %v, want %v", got, mapped)
	}
	enc := m.Encode()
	if !bytes.Equal(enc[:100], payload) || len(enc) != 101 || enc[100] != 1 {
		t.Fatalf("re-encoded %x", enc)
	}
	// The same message with an explicit relay byte of 0.
	v := &Version{}
	if err := v.Decode(append(bytes.Clone(payload), 0)); err != nil || v.Relay {
		t.Fatalf("relay=0: %v, relay %v", err, v.Relay)
	}
}

// TestWikiVerack checks the framing of the well-known empty verack message.
func TestWikiVerack(t *testing.T) {
	want := mustHex(t, "f9beb4d976657261636b000000000000000000005df6e0e2")
	var buf bytes.Buffer
	if err := WriteMessage(&buf, mainMagic, CmdVerAck, (&VerAck{}).Encode()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("verack %x, want %x", buf.Bytes(), want)
	}
}

func TestHeadersTxCount(t *testing.T) {
	good := (&Headers{Headers: []wire.BlockHeader{sampleHeader(1), sampleHeader(2)}}).Encode()
	bad := bytes.Clone(good)
	bad[len(bad)-1] = 1
	if err := new(Headers).Decode(bad); !errors.Is(err, ErrNonZeroTxCount) {
		t.Fatalf("tx count 1: err %v", err)
	}
	// A zero count in a non-canonical three-byte form.
	nc := append(bytes.Clone(good[:len(good)-1]), 0xfd, 0, 0)
	if err := new(Headers).Decode(nc); !errors.Is(err, wire.ErrNonCanonical) {
		t.Fatalf("non-canonical tx count: err %v", err)
	}
}

// header builds a raw message header.
func header(magic [4]byte, cmd string, length uint32, sum [4]byte) []byte {
	b := append([]byte{}, magic[:]...)
	var c [CommandSize]byte
	copy(c[:], cmd)
	b = append(b, c[:]...)
	b = binary.LittleEndian.AppendUint32(b, length)
	return append(b, sum[:]...)
}

// guardReader serves data and fails the test on any read past it.
type guardReader struct {
	t    *testing.T
	data []byte
}

func (g *guardReader) Read(p []byte) (int, error) {
	if len(g.data) == 0 {
		g.t.Fatal("read past the header")
	}
	n := copy(p, g.data)
	g.data = g.data[n:]
	return n, nil
}

func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestOversizeRejectedBeforeAllocation(t *testing.T) {
	for _, cmd := range []string{CmdBlock, CmdVersion, CmdVerAck, "sendaddrv2"} {
		hdr := header(mainMagic, cmd, 0xffffffff, [4]byte{})
		var err error
		n := allocatedBytes(func() {
			_, _, err = ReadMessage(&guardReader{t: t, data: hdr}, mainMagic, MaxPayload)
		})
		if !errors.Is(err, ErrPayloadTooLarge) {
			t.Fatalf("%s: err %v, want ErrPayloadTooLarge", cmd, err)
		}
		if n > 64<<10 {
			t.Errorf("%s: allocated %d bytes rejecting a 4 GB length", cmd, n)
		}
	}
	// Exactly at the limit passes the length check; one over does not.
	limit := MaxPayload(CmdPing)
	if _, _, err := ReadMessage(bytes.NewReader(header(mainMagic, CmdPing, limit+1, [4]byte{})), mainMagic, nil); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("ping limit+1: %v", err)
	}
	// A custom limit function is honoured.
	small := func(string) uint32 { return 3 }
	var buf bytes.Buffer
	_ = WriteMessage(&buf, mainMagic, CmdPing, (&Ping{}).Encode())
	if _, _, err := ReadMessage(&buf, mainMagic, small); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("custom limit: %v", err)
	}

	// Counts claiming billions of elements in a short payload.
	for _, cmd := range []string{CmdInv, CmdGetData, CmdNotFound, CmdHeaders, CmdAddr, CmdGetHeaders, CmdGetBlocks, CmdBlock, CmdTx} {
		var p []byte
		switch cmd {
		case CmdGetHeaders, CmdGetBlocks:
			p = []byte{1, 0, 0, 0}
		case CmdBlock:
			p = make([]byte, wire.HeaderSize)
		case CmdTx:
			p = []byte{1, 0, 0, 0}
		}
		p = append(p, 0xfe, 0xff, 0xff, 0xff, 0xff) // 4,294,967,295, canonical
		p = append(p, make([]byte, 64)...)
		var err error
		n := allocatedBytes(func() { err = New(cmd).Decode(p) })
		if !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: huge count: err %v, want ErrTooLarge", cmd, err)
		}
		if n > 64<<10 {
			t.Errorf("%s: allocated %d bytes for a huge count", cmd, n)
		}
	}
	// A count within what the payload could hold but above the protocol
	// limit.
	p := wire.AppendCompactSize(nil, MaxInvEntries+1)
	p = append(p, make([]byte, (MaxInvEntries+1)*invVectSize)...)
	if err := new(Inv).Decode(p); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("inv 50,001: %v", err)
	}
}

func TestFramingErrors(t *testing.T) {
	payload := (&Ping{Nonce: 7}).Encode()
	sum := Checksum(payload)
	frame := func(magic [4]byte, cmdField []byte, sum [4]byte) []byte {
		b := append([]byte{}, magic[:]...)
		b = append(b, cmdField...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
		b = append(b, sum[:]...)
		return append(b, payload...)
	}
	field := func(s string) []byte { return append([]byte(s), make([]byte, CommandSize-len(s))...) }
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"bad magic", frame([4]byte{0x0b, 0x11, 0x09, 0x07}, field("ping"), sum), ErrBadMagic},
		{"bad checksum", frame(mainMagic, field("ping"), [4]byte{sum[0] ^ 1, sum[1], sum[2], sum[3]}), ErrBadChecksum},
		{"empty command", frame(mainMagic, field(""), sum), ErrBadCommand},
		{"control byte", frame(mainMagic, field("pi\nng"), sum), ErrBadCommand},
		{"high byte", frame(mainMagic, field("pi\x80ng"), sum), ErrBadCommand},
		{"byte after NUL", frame(mainMagic, field("ping\x00x"), sum), ErrBadCommand},
		{"truncated header", frame(mainMagic, field("ping"), sum)[:10], io.ErrUnexpectedEOF},
		{"truncated payload", frame(mainMagic, field("ping"), sum)[:HeaderSize+3], io.ErrUnexpectedEOF},
		{"empty stream", nil, io.EOF},
	}
	for _, c := range cases {
		_, _, err := ReadMessage(bytes.NewReader(c.raw), mainMagic, nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	// A 12-character command uses the whole field.
	raw := frame(mainMagic, []byte("abcdefghijkl"), sum)
	if cmd, _, err := ReadMessage(bytes.NewReader(raw), mainMagic, nil); err != nil || cmd != "abcdefghijkl" {
		t.Errorf("12-byte command: %q %v", cmd, err)
	}
	for _, cmd := range []string{"", "abcdefghijklm", "a\x00b", "caf\u00e9"} {
		if err := WriteMessage(io.Discard, mainMagic, cmd, nil); !errors.Is(err, ErrBadCommand) {
			t.Errorf("WriteMessage(%q): %v", cmd, err)
		}
	}
}

// TestTrailingAndTruncated checks that every modelled message refuses a
// byte too many and every strict prefix of its payload.
func TestTrailingAndTruncated(t *testing.T) {
	for _, m := range sampleMessages() {
		if _, ok := m.(*Unknown); ok {
			continue
		}
		p := m.Encode()
		if err := New(m.Command()).Decode(append(bytes.Clone(p), 0)); !errors.Is(err, wire.ErrTrailingBytes) {
			t.Errorf("%s + 1 byte: err %v, want ErrTrailingBytes", m.Command(), err)
		}
		for n := range len(p) {
			err := New(m.Command()).Decode(p[:n])
			if _, ok := m.(*Version); ok && n == len(p)-1 {
				if err != nil {
					t.Errorf("version without relay byte: %v", err)
				}
				continue
			}
			if !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrTooLarge) {
				t.Errorf("%s truncated to %d of %d bytes: err %v", m.Command(), n, len(p), err)
			}
		}
	}
}

func TestConstants(t *testing.T) {
	if ProtocolVersion != 70016 || MinPeerVersion != 70001 || ServiceNodeNetwork != 1 {
		t.Fatal("protocol constants changed")
	}
	if got := UserAgent("0.3.1"); got != "/nodecoin:0.3.1/" {
		t.Fatalf("UserAgent %q", got)
	}
	if m := New("sendaddrv2"); m.Command() != "sendaddrv2" {
		t.Fatalf("unknown command %q", m.Command())
	}
}
