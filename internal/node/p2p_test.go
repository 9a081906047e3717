package node

import "testing"

// TestResolveP2P checks the P2P defaults: the network's port on all
// interfaces, no listening with --connect unless --listen says otherwise,
// and malformed addresses refused.
func TestResolveP2P(t *testing.T) {
	for _, c := range []struct {
		name       string
		cfg        Config
		wantListen string
		wantErr    bool
	}{
		{"default", Config{}, "0.0.0.0:29633", false},
		{"connect", Config{Connect: []string{"10.0.0.1:29633"}}, "off", false},
		{"connect with listen", Config{Connect: []string{"10.0.0.1:29633"}, Listen: "127.0.0.1:0"}, "127.0.0.1:0", false},
		{"addnode", Config{AddNodes: []string{"10.0.0.1:29633"}}, "0.0.0.0:29633", false},
		{"off", Config{Listen: "off"}, "off", false},
		{"bad listen", Config{Listen: "nowhere"}, "", true},
		{"bad peer", Config{AddNodes: []string{"10.0.0.1"}}, "", true},
	} {
		cfg := c.cfg
		err := cfg.resolveP2P(29633)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v, want error %v", c.name, err, c.wantErr)
			continue
		}
		if err == nil && cfg.Listen != c.wantListen {
			t.Errorf("%s: listen %q, want %q", c.name, cfg.Listen, c.wantListen)
		}
		if err == nil && cfg.MaxConnections != 125 {
			t.Errorf("%s: max connections %d, want 125", c.name, cfg.MaxConnections)
		}
	}
}
