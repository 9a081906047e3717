package message

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"
)

const wikiVersion = "f9beb4d976657273696f6e0000000000640000003b648d5a62ea0000010000000000000011b2d05000000000010000000000000000000000000000000000ffff000000000000010000000000000000000000000000000000ffff0000000000003b2eb35d8ce617650f2f5361746f7368693a302e372e322fc03e0300"

func FuzzReadMessage(f *testing.F) {
	w, _ := hex.DecodeString(wikiVersion)
	f.Add(w)
	for _, m := range sampleMessages() {
		b, _ := AppendMessage(nil, mainMagic, m.Command(), m.Encode())
		f.Add(b)
	}
	f.Add(header(mainMagic, CmdBlock, 0xffffffff, [4]byte{}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, payload, err := ReadMessage(bytes.NewReader(b), mainMagic, nil)
		if err != nil {
			return
		}
		if uint64(len(payload)) > uint64(MaxPayload(cmd)) {
			t.Fatalf("%s payload of %d bytes over the limit", cmd, len(payload))
		}
		re, err := AppendMessage(nil, mainMagic, cmd, payload)
		if err != nil || !bytes.Equal(re, b[:len(re)]) {
			t.Fatalf("re-framing differs: %v", err)
		}
		_, _ = DecodeMessage(cmd, payload)
	})
}

func FuzzDecodeMessage(f *testing.F) {
	w, _ := hex.DecodeString(wikiVersion)
	f.Add(CmdVersion, w[HeaderSize:])
	for _, m := range sampleMessages() {
		f.Add(m.Command(), m.Encode())
	}
	f.Add(CmdHeaders, []byte{1})
	f.Add(CmdInv, []byte{0xfe, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, cmd string, payload []byte) {
		m, err := DecodeMessage(cmd, payload)
		if err != nil {
			return
		}
		enc := m.Encode()
		if _, isVersion := m.(*Version); !isVersion && !bytes.Equal(enc, payload) {
			t.Fatalf("%s re-encodes differently", cmd)
		}
		m2, err := DecodeMessage(cmd, enc)
		if err != nil {
			t.Fatalf("%s: re-encoded payload does not decode: %v", cmd, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("%s: decode(encode(m)) != m", cmd)
		}
	})
}
