package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Path is where the Server serves the exposition.
const Path = "/metrics"

// shutdownTimeout bounds how long Run waits for scrapes in progress when its
// context is cancelled.
const shutdownTimeout = 5 * time.Second

// Server serves the Prometheus exposition of a Metrics over HTTP on Path,
// without authentication.
type Server struct {
	addr string
	log  *slog.Logger
	srv  *http.Server

	mu sync.Mutex
	ln net.Listener
}

// NewServer returns a server of m's exposition for the TCP address addr
// (HOST:PORT; port 0 picks a free port). log receives its log lines; nil
// means slog.Default(). It does not listen until Listen or Run.
func NewServer(addr string, m *Metrics, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, m.Handler(log))
	return &Server{
		addr: addr,
		log:  log,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
}

// Listen binds the server's address and logs "metrics server listening"
// with the address bound (addr=127.0.0.1:9634), so that a caller learns of
// a busy port before starting anything else. Run serves on it afterwards;
// Run calls Listen itself when it was not called. A Server listens once.
func (s *Server) Listen(ctx context.Context) error {
	_, err := s.listen(ctx)
	return err
}

// listen binds the address and returns the listener.
func (s *Server) listen(ctx context.Context) (net.Listener, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil, errors.New("metrics server: already listening")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("metrics server: listen on %s: %w", s.addr, err)
	}
	s.ln = ln
	s.log.Info("metrics server listening", "addr", ln.Addr().String())
	return ln, nil
}

// Addr returns the address bound by Listen or Run, or nil before.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Run serves until ctx is cancelled, then waits up to five seconds for
// scrapes in progress, closes the listener and returns nil. It returns an
// error when it cannot listen or serving fails. A Server runs once.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		var err error
		if ln, err = s.listen(ctx); err != nil {
			return err
		}
	}
	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("metrics server on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(shutCtx); err != nil {
		// Scrapes still running after the timeout are cut off; that is
		// no failure of the node.
		s.log.Warn("metrics server: scrapes cut off at shutdown", "err", err)
		s.srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics server on %s: %w", ln.Addr(), err)
	}
	s.log.Info("metrics server stopped")
	return nil
}
