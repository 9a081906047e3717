package conffile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

var sections = []string{"main", "test", "regtest"}

func flagSet() (*pflag.FlagSet, *int, *bool, *[]string) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	cache := fs.Int("dbcache", 300, "")
	txindex := fs.Bool("txindex", true, "")
	files := fs.StringArray("loadblock", nil, "")
	fs.String("datadir", "", "")
	return fs, cache, txindex, files
}

func TestApplySectionsAndPrecedence(t *testing.T) {
	conf := `
# top of the file: every network
dbcache = 100   # trailing comment
loadblock=/a
loadblock=/b
[regtest]
txindex=0
[main]
dbcache=999
`
	settings, err := Parse(strings.NewReader(conf), sections)
	if err != nil {
		t.Fatal(err)
	}
	fs, cache, txindex, files := flagSet()
	if err := Apply(fs, settings, "regtest", "datadir"); err != nil {
		t.Fatal(err)
	}
	if *cache != 100 || *txindex || strings.Join(*files, ",") != "/a,/b" {
		t.Fatalf("regtest: dbcache %d txindex %v loadblock %v", *cache, *txindex, *files)
	}
	fs, cache, _, _ = flagSet()
	if err := fs.Parse([]string{"--dbcache", "7"}); err != nil {
		t.Fatal(err)
	}
	if err := Apply(fs, settings, "main", "datadir"); err != nil {
		t.Fatal(err)
	}
	if *cache != 7 {
		t.Fatalf("command line lost to the file: dbcache %d", *cache)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		conf, want string
	}{
		{"just words\n", `line 1: "just words" is not key=value`},
		{"=5\n", "line 1"},
		{"[mainnet]\n", "unknown section [mainnet]"},
		{"rpcport=1\n", `line 1: unknown setting "rpcport"`},
		{"\ndatadir=/x\n", "line 2: datadir cannot be set"},
		{"dbcache=lots\n", "line 1: dbcache=lots"},
		{strings.Repeat("x", maxLineLen+1), "token too long"},
	}
	for _, tc := range tests {
		settings, err := Parse(strings.NewReader(tc.conf), sections)
		if err == nil {
			fs, _, _, _ := flagSet()
			err = Apply(fs, settings, "main", "datadir")
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.conf, err, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(filepath.Join(dir, "absent"), true, sections); err != nil || s != nil {
		t.Fatalf("optional absent file: %v %v", s, err)
	}
	if _, err := Load(filepath.Join(dir, "absent"), false, sections); err == nil {
		t.Fatal("required absent file accepted")
	}
	if _, err := Load(dir, true, sections); err == nil {
		t.Fatal("a directory accepted as the file")
	}
	p := filepath.Join(dir, FileName)
	os.WriteFile(p, []byte("network=test\n"), 0o600)
	s, err := Load(p, true, sections)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := Lookup(s, "network"); !ok || v != "test" {
		t.Fatalf("Lookup: %q %v", v, ok)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("a=b\n[main]\nc=d # x\n")
	f.Add("[regtest\n")
	f.Fuzz(func(t *testing.T, conf string) {
		settings, err := Parse(strings.NewReader(conf), sections)
		if err != nil {
			return
		}
		for _, s := range settings {
			if s.Key == "" || strings.ContainsAny(s.Key, "#\n") {
				t.Fatalf("bad key %q", s.Key)
			}
		}
	})
}
