package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ErrUnauthorized is the error of a call the server refused with 401.
var ErrUnauthorized = errors.New("authorization failed: incorrect rpc-user or rpc-password")

// ConnectError is the error of a call that reached no server.
type ConnectError struct {
	Addr string
	Err  error
}

// Error says which server could not be reached.
func (e *ConnectError) Error() string {
	return fmt.Sprintf("could not connect to the server %s: %v", e.Addr, e.Err)
}

// Unwrap returns the network error.
func (e *ConnectError) Unwrap() error { return e.Err }

// Client calls a JSON-RPC server (nodecoin's or Bitcoin Core's).
type Client struct {
	// Addr is the server's HOST:PORT.
	Addr string
	// User and Password are the basic-auth credentials.
	User, Password string
	// HTTP is the client used; nil means one without a timeout (calls
	// such as long polls may take minutes; use the context to bound them).
	HTTP *http.Client
}

var defaultHTTP = &http.Client{Transport: &http.Transport{
	Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 8,
	IdleConnTimeout: 20 * time.Second, ResponseHeaderTimeout: 0,
}}

// Call calls method with params (a slice for positional parameters, a map
// or struct for named ones, nil for none) and returns the result as JSON.
// An error reply is returned as *Error; a refused login as ErrUnauthorized;
// an unreachable server as *ConnectError.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.Addr+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("rpc request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.User, c.Password)
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rpc %s: %w", method, ctx.Err())
		}
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, &ConnectError{Addr: c.Addr, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("rpc %s: read reply: %w", method, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, ErrUnauthorized
	case resp.StatusCode == http.StatusServiceUnavailable:
		return nil, fmt.Errorf("server response: %s", data)
	case resp.StatusCode >= 400 && resp.StatusCode != http.StatusBadRequest &&
		resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusInternalServerError:
		return nil, fmt.Errorf("server returned HTTP error %d", resp.StatusCode)
	case len(data) == 0:
		return nil, errors.New("no response from server")
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return nil, fmt.Errorf("rpc %s: reply is not a JSON-RPC object: %w", method, err)
	}
	if reply.Error != nil {
		return nil, reply.Error
	}
	if reply.Result == nil {
		reply.Result = json.RawMessage("null")
	}
	return reply.Result, nil
}
