package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Handler runs one RPC method. It returns a value that encoding/json
// marshals as the reply's result (nil gives null), or an error: an *Error
// chooses the code, any other error becomes CodeMisc with its text. ctx is
// cancelled when the client goes away or the server shuts down.
type Handler func(ctx context.Context, params Params) (any, error)

// Method is a registered RPC method: its name, help and handler.
type Method struct {
	// Name is the method name, e.g. "getblockcount".
	Name string
	// Category groups the method in `help`, e.g. "blockchain", "control",
	// "mining", "network", "rawtransactions", "util" (shown capitalised, as
	// Core's "== Blockchain =="). The category "hidden" keeps the method out
	// of the list.
	Category string
	// Args are the positional arguments, in order; the server rejects
	// more arguments than listed, fewer than the required ones (with the
	// help text, code -1), and arguments of the wrong type (code -3).
	Args []Arg
	// Description is the help paragraph(s) after the usage line.
	Description string
	// Result is the help text of the "Result:" section, e.g.
	// `n    (numeric) The current block count`; empty omits the section.
	Result string
	// Examples is the help text of the "Examples:" section; ExampleCLI and
	// ExampleRPC build Core-style lines. Empty omits the section.
	Examples string
	// Handler runs the method.
	Handler Handler
}

// registry is the method table. Lookups take no lock: the map is replaced
// on each registration (methods are registered at start, rarely).
type registry struct {
	mu      sync.Mutex // serialises registrations
	methods atomic.Pointer[map[string]*Method]
}

func (r *registry) lookup(name string) *Method {
	m := r.methods.Load()
	if m == nil {
		return nil
	}
	return (*m)[name]
}

// register adds m, refusing duplicates and malformed declarations.
func (r *registry) register(m Method) error {
	if m.Name == "" || strings.ContainsAny(m.Name, " \t\n") {
		return fmt.Errorf("rpc: invalid method name %q", m.Name)
	}
	if m.Handler == nil {
		return fmt.Errorf("rpc: method %s has no handler", m.Name)
	}
	if m.Category == "" {
		return fmt.Errorf("rpc: method %s has no category", m.Name)
	}
	for _, a := range m.Args {
		if a.Name == "" {
			return fmt.Errorf("rpc: method %s has an argument without a name", m.Name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.methods.Load()
	next := make(map[string]*Method)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	if _, dup := next[m.Name]; dup {
		return fmt.Errorf("rpc: method %s registered twice", m.Name)
	}
	next[m.Name] = &m
	r.methods.Store(&next)
	return nil
}

// all returns the methods sorted as Core's help lists them: by category,
// then name.
func (r *registry) all() []*Method {
	m := r.methods.Load()
	if m == nil {
		return nil
	}
	out := make([]*Method, 0, len(*m))
	for _, v := range *m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *Method) int {
		return strings.Compare(a.Category+a.Name, b.Category+b.Name)
	})
	return out
}

// requiredArgs returns how many leading arguments a call must give: up to
// the last required one, as Core's IsValidNumArgs.
func (m *Method) requiredArgs() int {
	for n := len(m.Args); n > 0; n-- {
		if !m.Args[n-1].Optional {
			return n
		}
	}
	return 0
}

// Usage returns the first line of the method's help: its name and
// arguments, required ones bare (strings quoted), optional ones in
// parentheses — `getblock "blockhash" ( verbosity )`.
func (m *Method) Usage() string {
	var b strings.Builder
	b.WriteString(m.Name)
	inOptional := false
	for _, a := range m.Args {
		b.WriteByte(' ')
		if a.Optional && !inOptional {
			b.WriteString("( ")
			inOptional = true
		} else if !a.Optional && inOptional {
			b.WriteString(") ")
			inOptional = false
		}
		switch a.Type {
		case TypeString:
			b.WriteString(strconv.Quote(a.firstName()))
		case TypeObject:
			b.WriteString("{" + a.firstName() + "}")
		case TypeArray:
			b.WriteString("[" + a.firstName() + "]")
		default:
			b.WriteString(a.firstName())
		}
	}
	if inOptional {
		b.WriteString(" )")
	}
	return b.String()
}

// Help returns the method's help text in Core's layout: usage line,
// description, "Arguments:" (name column padded to the widest plus four
// spaces), "Result:" and "Examples:".
func (m *Method) Help() string {
	var b strings.Builder
	b.WriteString(m.Usage())
	b.WriteString("\n\n")
	b.WriteString(strings.TrimSpace(m.Description))
	b.WriteString("\n")
	if len(m.Args) > 0 {
		b.WriteString("\nArguments:\n")
		lefts := make([]string, len(m.Args))
		width := 0
		for i, a := range m.Args {
			lefts[i] = fmt.Sprintf("%d. %s", i+1, a.firstName())
			width = max(width, len(lefts[i]))
		}
		for i, a := range m.Args {
			typ := a.HelpType
			if typ == "" {
				typ = a.Type.helpName()
			}
			req := "required"
			if a.Optional {
				req = "optional"
				if a.Default != "" {
					req += ", default=" + a.Default
				}
			}
			fmt.Fprintf(&b, "%-*s(%s, %s) %s\n", width+4, lefts[i], typ, req, strings.TrimSpace(a.Description))
		}
	}
	if r := strings.TrimRight(m.Result, "\n"); r != "" {
		b.WriteString("\nResult:\n" + r + "\n")
	}
	if e := strings.TrimRight(m.Examples, "\n"); e != "" {
		b.WriteString("\nExamples:\n" + e + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// ExampleCLI returns a help example line for `nodecoin cli`, as Core's
// HelpExampleCli: "> nodecoin cli getblockhash 1000".
func ExampleCLI(method, args string) string {
	return "> nodecoin cli " + method + " " + args + "\n"
}

// ExampleRPC returns a help example line for curl, as Core's
// HelpExampleRpc; params is the JSON text inside the params array.
func ExampleRPC(method, params string) string {
	return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"" +
		method + "\", \"params\": [" + params + "]}' -H 'content-type: application/json' http://127.0.0.1:9632/\n"
}

// helpText answers `help [command]` as Core's CRPCTable::help: without a
// command, the first help line of every method, grouped under
// "== Category ==" headings (categories and names sorted, "hidden" left
// out); with one, that method's help, or "help: unknown command: X".
func (r *registry) helpText(command string) string {
	var b strings.Builder
	category := ""
	for _, m := range r.all() {
		if command != "" {
			if m.Name == command {
				return m.Help()
			}
			continue
		}
		if m.Category == "hidden" {
			continue
		}
		if m.Category != category {
			if category != "" {
				b.WriteString("\n")
			}
			category = m.Category
			b.WriteString("== " + strings.ToUpper(category[:1]) + category[1:] + " ==\n")
		}
		b.WriteString(m.Usage() + "\n")
	}
	if command != "" {
		return "help: unknown command: " + command
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// helpMethod is the built-in `help` method.
func (r *registry) helpMethod() Method {
	return Method{
		Name:     "help",
		Category: "control",
		Args: []Arg{{Name: "command", Type: TypeString, Optional: true, Default: "all commands",
			Description: "The command to get help on"}},
		Description: "List all commands, or get help for a specified command.",
		Result:      `"str"    (string) The help text`,
		Examples:    ExampleCLI("help", "") + ExampleCLI("help", "getblockcount"),
		Handler: func(_ context.Context, p Params) (any, error) {
			cmd, err := p.OptionalString(0, "")
			if err != nil {
				return nil, err
			}
			return r.helpText(cmd), nil
		},
	}
}

// wrongArgs is how the server reports a wrong argument count: Core throws
// the help text, which becomes RPC_MISC_ERROR.
func wrongArgs(m *Method) *Error { return NewError(CodeMisc, m.Help()) }

// checkArgs checks the count and the declared types of a call's
// parameters, as Core's RPCHelpMan::HandleRequest.
func checkArgs(m *Method, params []json.RawMessage) *Error {
	if len(params) < m.requiredArgs() || len(params) > len(m.Args) {
		return wrongArgs(m)
	}
	var mismatches []string
	for i, a := range m.Args {
		want := a.Type.uniValueName()
		if want == "" {
			continue
		}
		var raw json.RawMessage
		if i < len(params) {
			raw = params[i]
		}
		got := JSONType(raw)
		if got == want || (a.Optional && got == "null") {
			continue
		}
		key, _ := json.Marshal(fmt.Sprintf("Position %d (%s)", i+1, a.Name))
		val, _ := json.Marshal(fmt.Sprintf("JSON value of type %s is not of expected type %s", got, want))
		mismatches = append(mismatches, "    "+string(key)+": "+string(val))
	}
	if len(mismatches) > 0 {
		return NewError(CodeType, "Wrong type passed:\n{\n"+strings.Join(mismatches, ",\n")+"\n}")
	}
	return nil
}

// errNoMethod is Core's answer for an unknown method.
var errNoMethod = &Error{Code: CodeMethodNotFound, Message: "Method not found"}
