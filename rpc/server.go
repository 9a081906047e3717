package rpc

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits and defaults of the server.
const (
	// MaxBodyBytes bounds a request body (Core's MAX_SIZE, 32 MiB); a
	// larger one is answered 413 Request Entity Too Large, without JSON.
	MaxBodyBytes = 32 << 20
	// DefaultThreads is how many requests execute at once (Core's
	// -rpcthreads default).
	DefaultThreads = 16
	// DefaultWorkQueue is how many more requests may wait for a thread
	// (Core's -rpcworkqueue default) before 503 "Work queue depth exceeded".
	DefaultWorkQueue = 64
	// DefaultTimeout bounds reading a request, writing its reply and the
	// idle time of a keep-alive connection (Core's -rpcservertimeout).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBatch bounds the requests of one batch; a longer batch is
	// answered 400 with error -32600.
	DefaultMaxBatch = 1000
	// AuthFailureDelay is how long a request with wrong credentials waits
	// before its 401, to slow brute-forcing (Core's 250 ms). The wait
	// holds no worker.
	AuthFailureDelay = 250 * time.Millisecond
	// maxHeaderBytes is Core's MAX_HEADERS_SIZE.
	maxHeaderBytes = 8192
)

// Config configures a Server.
type Config struct {
	// User and Password are the credentials HTTP basic auth must carry
	// (--rpc-user/--rpc-password, or the cookie's). Password is required.
	User, Password string
	// Threads, WorkQueue, Timeout and MaxBatch default to DefaultThreads,
	// DefaultWorkQueue, DefaultTimeout and DefaultMaxBatch when zero.
	Threads, WorkQueue int
	Timeout            time.Duration
	MaxBatch           int
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// OnRequest, when set, is called once for every request object
	// answered (each member of a batch too): the method's name (""
	// when the request names no registered method, so that clients cannot
	// grow a metric's label set), the error code (0 on success) and the
	// time taken. It must be safe for concurrent use and quick.
	OnRequest func(method string, code int, d time.Duration)
}

// Server is a JSON-RPC server. Create it with New, register methods, then
// Serve a listener (or use it as an http.Handler). Its methods are safe for
// concurrent use; methods may be registered while it serves.
type Server struct {
	cfg Config
	reg registry
	log *slog.Logger

	authKey [32]byte // random HMAC key
	authMAC [32]byte // HMAC(authKey, "user:password")

	work     chan struct{} // a token per executing request
	admitted atomic.Int64  // executing and waiting requests
	warmup   atomic.Pointer[string]

	baseCtx context.Context // parent of every handler's context
	cancel  context.CancelFunc
	http    *http.Server
}

// New returns a server with the built-in `help` method registered.
func New(cfg Config) (*Server, error) {
	if cfg.Password == "" {
		return nil, errors.New("rpc: no password configured")
	}
	if cfg.Threads <= 0 {
		cfg.Threads = DefaultThreads
	}
	if cfg.WorkQueue < 0 {
		return nil, errors.New("rpc: negative work queue")
	}
	if cfg.WorkQueue == 0 {
		cfg.WorkQueue = DefaultWorkQueue
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, work: make(chan struct{}, cfg.Threads)}
	if _, err := rand.Read(s.authKey[:]); err != nil {
		return nil, fmt.Errorf("rpc: random key: %w", err)
	}
	s.authMAC = s.mac(cfg.User + ":" + cfg.Password)
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cfg.Timeout,
		ReadTimeout:       cfg.Timeout,
		IdleTimeout:       cfg.Timeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return s.baseCtx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	if err := s.Register(s.reg.helpMethod()); err != nil {
		return nil, err
	}
	return s, nil
}

// mac returns the HMAC of credentials under the server's key, so that
// comparisons are of fixed length and constant time.
func (s *Server) mac(userPass string) [32]byte {
	h := hmac.New(sha256.New, s.authKey[:])
	h.Write([]byte(userPass))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Register adds methods to the server. Names must be unique.
func (s *Server) Register(methods ...Method) error {
	for _, m := range methods {
		if err := s.reg.register(m); err != nil {
			return err
		}
	}
	return nil
}

// SetWarmup puts the server in warm-up: every call is answered -28 with
// status as the message (Core's "Loading block index…"), until
// WarmupFinished. It may be called again to update the status.
func (s *Server) SetWarmup(status string) { s.warmup.Store(&status) }

// WarmupFinished ends the warm-up: calls are executed.
func (s *Server) WarmupFinished() { s.warmup.Store(nil) }

// Serve accepts connections on ln until Shutdown, when it returns nil.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("rpc: serve: %w", err)
}

// Shutdown cancels the contexts of running handlers, stops accepting
// connections and waits for the replies in progress until ctx is done,
// then closes every connection.
func (s *Server) Shutdown(ctx context.Context) error {
	s.cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.http.Close()
		return fmt.Errorf("rpc: shutdown: %w", err)
	}
	return nil
}

// ServeHTTP answers one HTTP request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && !strings.HasPrefix(r.URL.Path, "/wallet/") {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, "JSONRPC server handles only POST requests")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		unauthorized(w)
		return
	}
	if !s.authorized(auth) {
		s.log.Warn("incorrect RPC password attempt", "peer", r.RemoteAddr)
		select {
		case <-time.After(AuthFailureDelay):
		case <-r.Context().Done():
			return
		}
		unauthorized(w)
		return
	}

	if s.admitted.Add(1) > int64(s.cfg.Threads+s.cfg.WorkQueue) {
		s.admitted.Add(-1)
		s.log.Warn("request rejected because the work queue is full", "peer", r.RemoteAddr)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "Work queue depth exceeded")
		return
	}
	defer s.admitted.Add(-1)
	select {
	case s.work <- struct{}{}:
		defer func() { <-s.work }()
	case <-r.Context().Done():
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		s.log.Debug("reading request body", "peer", r.RemoteAddr, "err", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	// The read timeout covered the request; a long poll may now take as
	// long as it needs, and the reply gets its own write timeout.
	rc.SetReadDeadline(time.Time{})

	status, reply := s.handle(r.Context(), body)

	rc.SetWriteDeadline(time.Now().Add(s.cfg.Timeout))
	if reply == nil {
		w.WriteHeader(status)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(reply))}
	w.WriteHeader(status)
	w.Write(reply)
}

// unauthorized writes Core's 401: an empty body and the realm.
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="jsonrpc"`)
	w.WriteHeader(http.StatusUnauthorized)
}

// authorized checks an Authorization header against the credentials.
func (s *Server) authorized(header string) bool {
	enc, ok := strings.CutPrefix(header, "Basic ")
	if !ok {
		return false
	}
	userPass, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil || !bytes.ContainsRune(userPass, ':') {
		return false
	}
	got := s.mac(string(userPass))
	return subtle.ConstantTimeCompare(got[:], s.authMAC[:]) == 1
}

// request is a decoded request object.
type request struct {
	id     json.RawMessage // nil when the object has no "id"
	v2     bool            // "jsonrpc":"2.0"
	method string
	params json.RawMessage // array, object, or nil
}

// notification reports a JSON-RPC 2.0 request without id, which gets no
// reply.
func (q *request) notification() bool { return q.v2 && q.id == nil }

// parseRequest decodes a request object as Core's JSONRPCRequest::parse,
// filling q as far as it gets (the id, then the version) so that an error
// reply carries them.
func parseRequest(raw json.RawMessage, q *request) *Error {
	if JSONType(raw) != "object" {
		return NewError(CodeInvalidRequest, "Invalid Request object")
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return NewError(CodeParse, "Parse error")
	}
	if id, ok := obj.get("id"); ok {
		q.id = id
	}
	if v, ok := obj.get("jsonrpc"); ok && JSONType(v) != "null" {
		switch string(v) {
		case `"1.0"`:
		case `"2.0"`:
			q.v2 = true
		default:
			if JSONType(v) != "string" {
				return NewError(CodeInvalidRequest, "jsonrpc field must be a string")
			}
			var s string
			if json.Unmarshal(v, &s); s == "2.0" {
				q.v2 = true // escaped spelling of "2.0"
			} else if s != "1.0" {
				return NewError(CodeInvalidRequest, "JSON-RPC version not supported")
			}
		}
	}
	m, _ := obj.get("method")
	switch JSONType(m) {
	case "null":
		return NewError(CodeInvalidRequest, "Missing method")
	case "string":
		if err := json.Unmarshal(m, &q.method); err != nil {
			return NewError(CodeParse, "Parse error")
		}
	default:
		return NewError(CodeInvalidRequest, "Method must be a string")
	}
	p, _ := obj.get("params")
	switch JSONType(p) {
	case "array", "object":
		q.params = p
	case "null":
	default:
		return NewError(CodeInvalidRequest, "Params must be an array or object")
	}
	return nil
}

// httpStatus maps an error code to the HTTP status of a 1.x reply, as
// Core's JSONErrorReply.
func httpStatus(code int) int {
	switch code {
	case CodeInvalidRequest:
		return http.StatusBadRequest
	case CodeMethodNotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// handle answers a request body: the HTTP status and the reply (nil for
// none).
func (s *Server) handle(ctx context.Context, body []byte) (int, []byte) {
	start := time.Now()
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		s.observe("", CodeParse, start)
		return http.StatusInternalServerError, appendReply(nil, &request{}, nil, NewError(CodeParse, "Parse error"))
	}
	switch body[0] {
	case '{':
		var q request
		if e := parseRequest(body, &q); e != nil {
			s.observe("", e.Code, start)
			return httpStatus(e.Code), appendReply(nil, &q, nil, e)
		}
		result, e := s.exec(ctx, &q)
		if q.notification() {
			return http.StatusNoContent, nil
		}
		status := http.StatusOK
		if e != nil && !q.v2 {
			status = httpStatus(e.Code)
		}
		return status, appendReply(nil, &q, result, e)
	case '[':
		var batch []json.RawMessage
		if err := json.Unmarshal(body, &batch); err != nil {
			return http.StatusInternalServerError, appendReply(nil, &request{}, nil, NewError(CodeParse, "Parse error"))
		}
		if len(batch) > s.cfg.MaxBatch {
			e := Errorf(CodeInvalidRequest, "Batch of %d requests exceeds the limit of %d", len(batch), s.cfg.MaxBatch)
			s.observe("", e.Code, start)
			return http.StatusBadRequest, appendReply(nil, &request{}, nil, e)
		}
		out := []byte{'['}
		n := 0
		for _, raw := range batch {
			start := time.Now()
			var q request
			var result []byte
			e := parseRequest(raw, &q)
			if e == nil {
				result, e = s.exec(ctx, &q)
			} else {
				s.observe("", e.Code, start)
			}
			if q.notification() {
				continue
			}
			if n > 0 {
				out = append(out, ',')
			}
			n++
			out = appendReply(out, &q, result, e)
		}
		if n == 0 && len(batch) > 0 {
			return http.StatusNoContent, nil
		}
		return http.StatusOK, append(out, ']', '\n')
	}
	s.observe("", CodeParse, start)
	return http.StatusInternalServerError, appendReply(nil, &request{}, nil, NewError(CodeParse, "Top-level object parse error"))
}

// observe reports a request to the OnRequest hook.
func (s *Server) observe(method string, code int, start time.Time) {
	if s.cfg.OnRequest != nil {
		s.cfg.OnRequest(method, code, time.Since(start))
	}
}

// exec runs a parsed request: warm-up, lookup, parameters, handler. It
// returns the result as JSON, or the error.
func (s *Server) exec(ctx context.Context, q *request) (result []byte, e *Error) {
	start := time.Now()
	name := ""
	defer func() {
		code := 0
		if e != nil {
			code = e.Code
		}
		s.observe(name, code, start)
	}()
	if status := s.warmup.Load(); status != nil {
		return nil, NewError(CodeInWarmup, *status)
	}
	m := s.reg.lookup(q.method)
	if m == nil {
		return nil, errNoMethod
	}
	name = m.Name
	var params []json.RawMessage
	switch JSONType(q.params) {
	case "array":
		if err := json.Unmarshal(q.params, &params); err != nil {
			return nil, NewError(CodeParse, "Parse error")
		}
	case "object":
		var err error
		if params, err = namedToPositional(q.params, m.Args); err != nil {
			return nil, asError(err)
		}
	}
	if e := checkArgs(m, params); e != nil {
		return nil, e
	}
	return s.call(ctx, m, Params{method: m.Name, args: m.Args, raw: params})
}

// call runs a handler, turning a panic into an internal error, and
// marshals its result.
func (s *Server) call(ctx context.Context, m *Method, p Params) (result []byte, e *Error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("RPC handler panicked", "method", m.Name, "panic", r, "stack", string(debug.Stack()))
			result, e = nil, NewError(CodeInternal, "Internal error")
		}
	}()
	v, err := m.Handler(ctx, p)
	if err != nil {
		return nil, asError(err)
	}
	b, err := marshal(v)
	if err != nil {
		s.log.Error("RPC result cannot be encoded", "method", m.Name, "err", err)
		return nil, NewError(CodeInternal, "Internal error")
	}
	return b, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// marshal encodes v as JSON without escaping <, > and & (Core does not).
func marshal(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok && raw != nil {
		return raw, nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})), nil
}

// appendReply appends a reply object (Core's JSONRPCReplyObj): 1.x replies
// have result, error and id (null when the request had none, as Core
// before 28 and as 1.x clients expect); 2.0 replies have jsonrpc, one of
// result and error, and id when the request had one. A lone reply ends
// with a newline.
func appendReply(out []byte, q *request, result []byte, e *Error) []byte {
	lone := len(out) == 0
	out = append(out, '{')
	if q.v2 {
		out = append(out, `"jsonrpc":"2.0",`...)
	}
	var errJSON []byte
	if e != nil {
		errJSON, _ = marshal(e)
	}
	if result == nil {
		result = []byte("null")
	}
	switch {
	case !q.v2 && e == nil:
		out = append(out, `"result":`...)
		out = append(out, result...)
		out = append(out, `,"error":null`...)
	case !q.v2:
		out = append(out, `"result":null,"error":`...)
		out = append(out, errJSON...)
	case e == nil:
		out = append(out, `"result":`...)
		out = append(out, result...)
	default:
		out = append(out, `"error":`...)
		out = append(out, errJSON...)
	}
	if q.id != nil || !q.v2 {
		out = append(out, `,"id":`...)
		if q.id == nil {
			out = append(out, "null"...)
		} else {
			out = appendCompact(out, q.id)
		}
	}
	out = append(out, '}')
	if lone {
		out = append(out, '\n')
	}
	return out
}

// appendCompact appends a JSON value without insignificant whitespace.
func appendCompact(out, v []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return append(out, v...)
	}
	return append(out, b.Bytes()...)
}
