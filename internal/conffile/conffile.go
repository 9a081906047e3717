// Package conffile reads nodecoin.conf, the configuration file, in the
// format of Bitcoin Core's bitcoin.conf: one `key=value` per line, `#`
// comments, and `[main]`, `[test]` or `[regtest]` sections whose settings
// apply to that network only. Keys are the command's long flag names
// without the dashes; a flag given on the command line wins over the file.
package conffile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// FileName is the name of the configuration file in the data directory.
const FileName = "nodecoin.conf"

// Setting is one `key=value` line of the file.
type Setting struct {
	Key, Value string
	Section    string // "" for the top of the file
	Line       int
}

// maxLineLen bounds a line, so a corrupt file cannot use unbounded memory.
const maxLineLen = 64 << 10

// Parse reads the settings of a configuration file.
func Parse(r io.Reader, sections []string) ([]Setting, error) {
	var out []Setting
	section := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineLen)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
			known := false
			for _, s := range sections {
				known = known || s == section
			}
			if !known {
				return nil, fmt.Errorf("line %d: unknown section [%s] (want one of %s)", n, section, strings.Join(sections, ", "))
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, fmt.Errorf("line %d: %q is not key=value", n, line)
		}
		out = append(out, Setting{Key: strings.TrimPrefix(key, "-"), Value: value, Section: section, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return out, nil
}

// Load reads the file at path. A missing file (or a missing directory on
// its path) is no error when optional is true — the default file need not
// exist — and gives no settings.
func Load(path string, optional bool, sections []string) ([]Setting, error) {
	f, err := os.Open(path)
	if optional && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	defer f.Close()
	s, err := Parse(f, sections)
	if err != nil {
		return nil, fmt.Errorf("configuration file %s: %w", path, err)
	}
	return s, nil
}

// Apply sets, on flags, every setting of the top of the file and of the
// section named section, except flags already given on the command line.
// Keys that are not flags, and the keys in forbidden (such as the data
// directory, which locates the file), are errors.
func Apply(flags *pflag.FlagSet, settings []Setting, section string, forbidden ...string) error {
	for _, s := range settings {
		if s.Section != "" && s.Section != section {
			continue
		}
		for _, f := range forbidden {
			if s.Key == f {
				return fmt.Errorf("line %d: %s cannot be set in the configuration file", s.Line, s.Key)
			}
		}
		f := flags.Lookup(s.Key)
		if f == nil {
			return fmt.Errorf("line %d: unknown setting %q", s.Line, s.Key)
		}
		if f.Changed {
			continue // the command line wins
		}
		if err := f.Value.Set(s.Value); err != nil {
			return fmt.Errorf("line %d: %s=%s: %w", s.Line, s.Key, s.Value, err)
		}
	}
	return nil
}

// Lookup returns the last value the top of the file gives key, if any.
func Lookup(settings []Setting, key string) (string, bool) {
	var v string
	found := false
	for _, s := range settings {
		if s.Section == "" && s.Key == key {
			v, found = s.Value, true
		}
	}
	return v, found
}
