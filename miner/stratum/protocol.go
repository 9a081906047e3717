package stratum

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Stratum error codes, sent as [code, "message", null].
const (
	// CodeOther is any error without a code of its own.
	CodeOther = 20
	// CodeStaleJob is a share for an unknown or stale job.
	CodeStaleJob = 21
	// CodeDuplicate is a share submitted before.
	CodeDuplicate = 22
	// CodeLowDifficulty is a share above its job's target.
	CodeLowDifficulty = 23
	// CodeUnauthorized is a share from a worker not authorized on the
	// connection, or a refused authorization.
	CodeUnauthorized = 24
	// CodeNotSubscribed is a request that needs mining.subscribe first.
	CodeNotSubscribed = 25
)

// MaxLineLength is the longest request line the server reads, newline
// included; a longer line ends the connection.
const MaxLineLength = 16 << 10

// maxParams bounds the parameters of one request.
const maxParams = 16

// Error is a Stratum error reply: [Code, Message, null] on the wire.
type Error struct {
	Code    int
	Message string
}

// Error returns the message with its code.
func (e *Error) Error() string { return fmt.Sprintf("stratum error %d: %s", e.Code, e.Message) }

// MarshalJSON writes the error as [code, "message", null].
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Code, e.Message, nil})
}

// UnmarshalJSON reads [code, "message", traceback].
func (e *Error) UnmarshalJSON(b []byte) error {
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("stratum error: %w", err)
	}
	if len(parts) < 2 {
		return fmt.Errorf("stratum error of %d elements", len(parts))
	}
	if err := json.Unmarshal(parts[0], &e.Code); err != nil {
		return fmt.Errorf("stratum error code: %w", err)
	}
	if err := json.Unmarshal(parts[1], &e.Message); err != nil {
		return fmt.Errorf("stratum error message: %w", err)
	}
	return nil
}

func newError(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Request is one decoded request line. ID is the request's id as sent (a
// JSON number or string, or null for a notification).
type Request struct {
	ID     json.RawMessage
	Method string
	Params []json.RawMessage
}

// ErrMalformed means a request line is not a JSON-RPC request.
var ErrMalformed = errors.New("malformed request")

// ParseRequest decodes one request line (without its newline): a JSON
// object with "method" (a string), "params" (an array, or absent or null)
// and "id" (a number, a string or null; absent means null). Trailing bytes
// after the object other than white space are refused, as are more than
// 16 parameters. It never panics; what it allocates is bounded by the
// line's length. A request whose id could be read is returned with the
// error, so that the error can be answered to that id. A pure function:
// no lock.
func ParseRequest(line []byte) (*Request, error) {
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Method json.RawMessage `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: bytes after the request", ErrMalformed)
	}
	var rest [1]byte
	if n, _ := dec.Buffered().Read(rest[:]); n > 0 && !isSpace(rest[0]) {
		return nil, fmt.Errorf("%w: bytes after the request", ErrMalformed)
	}
	req := &Request{ID: json.RawMessage("null")}
	if len(raw.ID) > 0 {
		switch raw.ID[0] {
		case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			req.ID = raw.ID
		default:
			return nil, fmt.Errorf("%w: id is neither a number, a string nor null", ErrMalformed)
		}
	}
	if len(raw.Method) == 0 || json.Unmarshal(raw.Method, &req.Method) != nil {
		return req, fmt.Errorf("%w: no method name", ErrMalformed)
	}
	if len(raw.Params) > 0 && !bytes.Equal(raw.Params, []byte("null")) {
		if raw.Params[0] != '[' {
			return req, fmt.Errorf("%w: params is not an array", ErrMalformed)
		}
		if err := json.Unmarshal(raw.Params, &req.Params); err != nil {
			return req, fmt.Errorf("%w: params: %w", ErrMalformed, err)
		}
		if len(req.Params) > maxParams {
			return req, fmt.Errorf("%w: %d params, at most %d", ErrMalformed, len(req.Params), maxParams)
		}
	}
	return req, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// response is a reply line.
type response struct {
	ID     json.RawMessage `json:"id"`
	Result any             `json:"result"`
	Error  *Error          `json:"error"`
}

// notification is a request the server sends.
type notification struct {
	ID     any    `json:"id"`
	Method string `json:"method"`
	Params []any  `json:"params"`
}

// encodeLine returns v as JSON followed by a newline.
func encodeLine(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the server's own values are encoded; they always marshal.
		b, _ = json.Marshal(response{ID: json.RawMessage("null"), Error: newError(CodeOther, "internal error")})
	}
	return append(b, '\n')
}

// paramString returns parameter i as a string.
func paramString(params []json.RawMessage, i int) (string, *Error) {
	if i >= len(params) {
		return "", newError(CodeOther, "missing parameter %d", i+1)
	}
	var s string
	if err := json.Unmarshal(params[i], &s); err != nil {
		return "", newError(CodeOther, "parameter %d is not a string", i+1)
	}
	return s, nil
}

// paramHex32 returns parameter i, a string of exactly 8 hex digits, as the
// number it spells (big-endian, as Stratum writes ntime, nonce and
// version).
func paramHex32(params []json.RawMessage, i int, what string) (uint32, *Error) {
	s, serr := paramString(params, i)
	if serr != nil {
		return 0, serr
	}
	if len(s) != 8 {
		return 0, newError(CodeOther, "%s must be 8 hex digits", what)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, newError(CodeOther, "%s must be 8 hex digits", what)
	}
	return uint32(v), nil
}

// paramNumber returns parameter i as a positive finite number; a string
// holding a number is accepted too (some miners quote it).
func paramNumber(params []json.RawMessage, i int) (float64, *Error) {
	if i >= len(params) {
		return 0, newError(CodeOther, "missing parameter %d", i+1)
	}
	var f float64
	if err := json.Unmarshal(params[i], &f); err != nil {
		s, serr := paramString(params, i)
		if serr != nil {
			return 0, newError(CodeOther, "parameter %d is not a number", i+1)
		}
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, newError(CodeOther, "parameter %d is not a number", i+1)
		}
	}
	if !(f > 0) || f > 1e300 {
		return 0, newError(CodeOther, "parameter %d must be a positive number", i+1)
	}
	return f, nil
}
