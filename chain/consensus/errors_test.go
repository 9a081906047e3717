package consensus

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestErrorKindString(t *testing.T) {
	seen := map[string]ErrorKind{}
	for k := ErrorKind(1); k < numErrorKinds; k++ {
		s := k.String()
		if !strings.HasPrefix(s, "Err") {
			t.Errorf("kind %d has name %q", int(k), s)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("kinds %d and %d share the name %q", int(other), int(k), s)
		}
		seen[s] = k
	}
	for _, k := range []ErrorKind{0, -1, numErrorKinds, 1000} {
		if s := k.String(); !strings.HasPrefix(s, "ErrorKind(") {
			t.Errorf("out-of-range kind %d has name %q", int(k), s)
		}
	}
}

func TestRuleError(t *testing.T) {
	e := ruleError(ErrHighHash, "high-hash", "hash %d above target", 7)
	if got := e.Error(); got != "high-hash: hash 7 above target" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&RuleError{Kind: ErrNoTxInputs, Reason: "bad-txns-vin-empty"}).Error(); got != "bad-txns-vin-empty" {
		t.Errorf("Error() without detail = %q", got)
	}

	wrapped := fmt.Errorf("process block: %w", e)
	if k, ok := IsRuleError(wrapped); !ok || k != ErrHighHash {
		t.Errorf("IsRuleError(wrapped) = %v, %v", k, ok)
	}
	var re *RuleError
	if !errors.As(wrapped, &re) || re.Reason != "high-hash" {
		t.Errorf("errors.As failed on a wrapped RuleError")
	}
	diskErr := fmt.Errorf("read block: %w", io.ErrUnexpectedEOF)
	if k, ok := IsRuleError(diskErr); ok {
		t.Errorf("IsRuleError(disk error) = %v, true", k)
	}
	if _, ok := IsRuleError(nil); ok {
		t.Error("IsRuleError(nil) = true")
	}

	for k := ErrorKind(1); k < numErrorKinds; k++ {
		want := k == ErrBadMerkleRoot || k == ErrMutatedMerkle
		e := &RuleError{Kind: k}
		if e.Mutated() != want {
			t.Errorf("%v: Mutated() = %v, want %v", k, e.Mutated(), want)
		}
		if IsMutated(fmt.Errorf("x: %w", e)) != want {
			t.Errorf("%v: IsMutated(wrapped) = %v, want %v", k, !want, want)
		}
	}
	if IsMutated(diskErr) {
		t.Error("IsMutated(disk error) = true")
	}
}
