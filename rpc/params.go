package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ArgType is the JSON type an argument must have. The server checks it
// before the handler runs, as Core's RPCHelpMan does, answering a mismatch
// with CodeType.
type ArgType int

// The argument types.
const (
	// TypeAny accepts any JSON value (the handler checks it), like Core's
	// skip_type_check; use it for verbosity flags that take a bool or a
	// number, and for amounts (a number or a string).
	TypeAny ArgType = iota
	// TypeString is a JSON string (Core's STR and STR_HEX).
	TypeString
	// TypeNumber is a JSON number (Core's NUM).
	TypeNumber
	// TypeBool is true or false (Core's BOOL).
	TypeBool
	// TypeObject is a JSON object (Core's OBJ, OBJ_USER_KEYS).
	TypeObject
	// TypeArray is a JSON array (Core's ARR).
	TypeArray
)

// jsonType returns the name Core's UniValue gives the type of a JSON
// value: null, bool, object, array, string or number.
func JSONType(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "bool"
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	}
	return "number"
}

// uniValueName returns the UniValue type name an ArgType expects, or "" for
// TypeAny.
func (t ArgType) uniValueName() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeBool:
		return "bool"
	case TypeObject:
		return "object"
	case TypeArray:
		return "array"
	}
	return ""
}

// helpName returns the type as Core's help text writes it.
func (t ArgType) helpName() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "numeric"
	case TypeBool:
		return "boolean"
	case TypeObject:
		return "json object"
	case TypeArray:
		return "json array"
	}
	return "any"
}

// Arg declares one positional argument of a method.
type Arg struct {
	// Name is the argument's name for named parameters and help; aliases
	// are separated by '|' ("verbosity|verbose"), the first being shown.
	Name string
	// Type is the JSON type required; TypeAny skips the check.
	Type ArgType
	// Optional marks an argument that may be omitted or null. Required
	// arguments may not follow optional ones in a method's list (Core's
	// rule), except that the server only counts: the required count is the
	// position of the last required argument.
	Optional bool
	// Default describes the default of an optional argument in help
	// ("1", "false", "all commands"); empty shows just "optional".
	Default string
	// HelpType overrides the type name in help ("numeric or boolean").
	HelpType string
	// Description is the help line of the argument.
	Description string
}

// firstName returns the argument's name without its aliases.
func (a Arg) firstName() string {
	name, _, _ := strings.Cut(a.Name, "|")
	return name
}

// Params are the positional parameters of a call, after named parameters
// have been put in their positions (holes between them filled with null).
// An absent parameter and a JSON null are alike: IsNull reports both, and
// the Optional helpers return their default for both.
type Params struct {
	method string
	args   []Arg
	raw    []json.RawMessage
}

// NewParams returns positional parameters for a method with the given
// argument declarations; handlers' unit tests use it to call a handler
// without a server. Each value is JSON text.
func NewParams(args []Arg, values ...string) Params {
	raw := make([]json.RawMessage, len(values))
	for i, v := range values {
		raw[i] = json.RawMessage(v)
	}
	return Params{args: args, raw: raw}
}

// Len returns the number of parameters given (including trailing nulls).
func (p Params) Len() int { return len(p.raw) }

// Raw returns parameter i as JSON text, or nil when absent.
func (p Params) Raw(i int) json.RawMessage {
	if i < 0 || i >= len(p.raw) {
		return nil
	}
	return p.raw[i]
}

// IsNull reports whether parameter i is absent or null.
func (p Params) IsNull(i int) bool { return JSONType(p.Raw(i)) == "null" }

// name returns the first name of argument i for messages.
func (p Params) name(i int) string {
	if i < len(p.args) {
		return p.args[i].firstName()
	}
	return fmt.Sprintf("parameter %d", i+1)
}

// typeError is Core's UniValue type-mismatch error, with RPC_TYPE_ERROR.
func typeError(raw json.RawMessage, want string) *Error {
	return Errorf(CodeType, "JSON value of type %s is not of expected type %s", JSONType(raw), want)
}

// String returns parameter i, which must be a JSON string.
func (p Params) String(i int) (string, error) {
	raw := p.Raw(i)
	if JSONType(raw) != "string" {
		return "", typeError(raw, "string")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", Errorf(CodeType, "%s: %v", p.name(i), err)
	}
	return s, nil
}

// Int returns parameter i, which must be a JSON number holding an integer
// that fits in 64 bits; Core answers other numbers with "JSON integer out
// of range" (code -1).
func (p Params) Int(i int) (int64, error) {
	raw := p.Raw(i)
	if JSONType(raw) != "number" {
		return 0, typeError(raw, "number")
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, NewError(CodeMisc, "JSON integer out of range")
	}
	return v, nil
}

// Int32 is Int for values that must fit in 32 bits (heights, counts).
func (p Params) Int32(i int) (int32, error) {
	v, err := p.Int(i)
	if err != nil {
		return 0, err
	}
	if v < -1<<31 || v >= 1<<31 {
		return 0, NewError(CodeMisc, "JSON integer out of range")
	}
	return int32(v), nil
}

// Float returns parameter i, which must be a JSON number.
func (p Params) Float(i int) (float64, error) {
	raw := p.Raw(i)
	if JSONType(raw) != "number" {
		return 0, typeError(raw, "number")
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, NewError(CodeMisc, "JSON double out of range")
	}
	return v, nil
}

// Number returns parameter i as the text of a JSON number, or of a JSON
// string holding one, as Core's AmountFromValue accepts amounts; other
// types are a type error naming "number".
func (p Params) Number(i int) (string, error) {
	raw := p.Raw(i)
	switch JSONType(raw) {
	case "number":
		return string(raw), nil
	case "string":
		return p.String(i)
	}
	return "", NewError(CodeType, "Amount is not a number or string")
}

// Bool returns parameter i, which must be true or false.
func (p Params) Bool(i int) (bool, error) {
	raw := p.Raw(i)
	if JSONType(raw) != "bool" {
		return false, typeError(raw, "bool")
	}
	return raw[0] == 't', nil
}

// OptionalString is String with a default for an absent or null parameter.
func (p Params) OptionalString(i int, def string) (string, error) {
	if p.IsNull(i) {
		return def, nil
	}
	return p.String(i)
}

// OptionalInt is Int with a default for an absent or null parameter.
func (p Params) OptionalInt(i int, def int64) (int64, error) {
	if p.IsNull(i) {
		return def, nil
	}
	return p.Int(i)
}

// OptionalBool is Bool with a default for an absent or null parameter.
func (p Params) OptionalBool(i int, def bool) (bool, error) {
	if p.IsNull(i) {
		return def, nil
	}
	return p.Bool(i)
}

// Verbosity reads a verbosity parameter as Core's ParseVerbosity: absent or
// null gives def, true and false give 1 and 0 when allowBool, and numbers
// their integer value ("getblock HASH false" and "getblock HASH 0" alike).
func (p Params) Verbosity(i int, def int, allowBool bool) (int, error) {
	raw := p.Raw(i)
	switch JSONType(raw) {
	case "null":
		return def, nil
	case "bool":
		if !allowBool {
			return 0, NewError(CodeType, "Verbosity was boolean but only integer allowed")
		}
		if raw[0] == 't' {
			return 1, nil
		}
		return 0, nil
	}
	v, err := p.Int32(i)
	return int(v), err
}

// Decode unmarshals parameter i into v (a pointer), for objects and arrays;
// a failure is CodeType with the decoder's message.
func (p Params) Decode(i int, v any) error {
	raw := p.Raw(i)
	if raw == nil {
		raw = json.RawMessage("null")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return Errorf(CodeType, "%s: %v", p.name(i), err)
	}
	return nil
}

// object is a JSON object's members in order, duplicates kept.
type object []member

type member struct {
	key   string
	value json.RawMessage
}

// decodeObject decodes a JSON object (already known to be valid JSON)
// keeping its members' order and any duplicate keys, which
// encoding/json's maps and structs would hide (they also match keys
// case-insensitively; Core does not).
func decodeObject(raw []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var obj object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		obj = append(obj, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return obj, nil
}

// get returns the value of the first member named key.
func (o object) get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// namedToPositional puts named parameters in their positions as Core's
// transformNamedArguments: holes between given parameters become null
// (none after the last), a name given twice is -8 "Parameter X specified
// multiple times", an unknown name -8 "Unknown named parameter X", and an
// "args" member (an array) supplies leading positional parameters.
func namedToPositional(raw []byte, args []Arg) ([]json.RawMessage, error) {
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, NewError(CodeParse, err.Error())
	}
	in := make(map[string]json.RawMessage, len(obj))
	for _, m := range obj {
		if _, dup := in[m.key]; dup {
			return nil, Errorf(CodeInvalidParameter, "Parameter %s specified multiple times", m.key)
		}
		in[m.key] = m.value
	}
	var out []json.RawMessage
	hole, initialHole := 0, 0
	for _, a := range args {
		var v json.RawMessage
		found := false
		for name := range strings.SplitSeq(a.Name, "|") {
			if v, found = in[name]; found {
				delete(in, name)
				break
			}
		}
		if !found {
			hole++
			if len(out) == 0 {
				initialHole = hole
			}
			continue
		}
		for ; hole > 0; hole-- {
			out = append(out, json.RawMessage("null"))
		}
		out = append(out, v)
	}
	if positional, ok := in["args"]; ok && JSONType(positional) == "array" {
		delete(in, "args")
		var pos []json.RawMessage
		if err := json.Unmarshal(positional, &pos); err != nil {
			return nil, NewError(CodeParse, err.Error())
		}
		if initialHole < len(pos) && initialHole != len(args) {
			return nil, Errorf(CodeInvalidParameter, "Parameter %s specified twice both as positional and named argument",
				args[initialHole].firstName())
		}
		named := out
		out = pos
		for i := len(out); i < len(named); i++ {
			out = append(out, named[i])
		}
	}
	for _, m := range obj {
		if _, left := in[m.key]; left {
			return nil, Errorf(CodeInvalidParameter, "Unknown named parameter %s", m.key)
		}
	}
	return out, nil
}
