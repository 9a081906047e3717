package main

// Integration tests of the JSON-RPC server and `nodecoin cli` against a
// real regtest daemon on a free loopback port.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var rpcAddrRE = regexp.MustCompile(`msg="RPC server listening".*\baddr=(\S+)`)

// rpcAddrOf waits for the daemon's RPC server and returns its address.
func rpcAddrOf(t *testing.T, d *daemon) string {
	t.Helper()
	m := rpcAddrRE.FindStringSubmatch(d.waitFor("RPC server listening"))
	if m == nil {
		t.Fatalf("no addr in the RPC log line:\n%s", d.log())
	}
	return m[1]
}

// runCLI runs `nodecoin cli args...` and returns its stdout, stderr and
// exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"cli"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

func TestRPCCLIAndStop(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir)
	addr := rpcAddrOf(t, d)
	d.waitFor("node ready")
	cookie := filepath.Join(dir, "regtest", ".cookie")
	fi, err := os.Stat(cookie)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cookie mode %v", fi.Mode().Perm())
	}
	cli := func(args ...string) (string, string, int) {
		return runCLI(t, append([]string{"--network", "regtest", "--datadir", dir, "--rpc-addr", addr}, args...)...)
	}

	out, errOut, code := cli("uptime")
	if n, err := strconv.Atoi(strings.TrimSpace(out)); code != 0 || err != nil || n < 0 {
		t.Errorf("uptime: %q %q exit %d", out, errOut, code)
	}
	out, _, code = cli("help")
	if code != 0 || !strings.Contains(out, "== Control ==\nhelp ( \"command\" )\nstop\nuptime") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	out, _, code = cli("help", "uptime")
	if code != 0 || !strings.HasPrefix(out, "uptime\n\nReturns the total uptime of the server.") {
		t.Errorf("help uptime: exit %d\n%s", code, out)
	}
	_, errOut, code = cli("nosuchmethod")
	if code != 32601&0xff || errOut != "error code: -32601\nerror message:\nMethod not found\n" {
		t.Errorf("unknown method: exit %d\n%s", code, errOut)
	}
	_, errOut, code = cli("uptime", "1")
	if code != 1 || !strings.HasPrefix(errOut, "error code: -1\nerror message:\nuptime\n") {
		t.Errorf("too many arguments: exit %d\n%s", code, errOut)
	}
	_, errOut, code = cli("--rpc-user", "u", "--rpc-password", "wrong", "uptime")
	if code != 1 || !strings.Contains(errOut, "authorization failed") {
		t.Errorf("wrong password: exit %d\n%s", code, errOut)
	}

	out, errOut, code = cli("stop")
	if code != 0 || out != "nodecoin stopping\n" {
		t.Errorf("stop: %q %q exit %d", out, errOut, code)
	}
	if code := d.wait(); code != 0 {
		t.Fatalf("daemon exit code %d after stop:\n%s", code, d.log())
	}
	if _, err := os.Stat(cookie); !os.IsNotExist(err) {
		t.Errorf("cookie left after a clean exit: %v", err)
	}
	_, errOut, code = cli("uptime")
	if code != 1 || !strings.Contains(errOut, "error: could not connect to the server "+addr) {
		t.Errorf("stopped node: exit %d\n%s", code, errOut)
	}
}

func TestRPCUserPassword(t *testing.T) {
	dir := t.TempDir()
	code, log := runDaemon(t, "--network", "regtest", "--datadir", dir, "--rpc-user", "u")
	if code == 0 || !strings.Contains(log, "--rpc-user and --rpc-password go together") {
		t.Fatalf("--rpc-user alone: exit %d\n%s", code, log)
	}
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--rpc-user", "u", "--rpc-password", "p")
	addr := rpcAddrOf(t, d)
	d.waitFor("node ready")
	if _, err := os.Stat(filepath.Join(dir, "regtest", ".cookie")); !os.IsNotExist(err) {
		t.Errorf("cookie written although a password is set: %v", err)
	}
	base := []string{"--network", "regtest", "--datadir", dir, "--rpc-addr", addr}
	if out, errOut, code := runCLI(t, append(base, "--rpc-user", "u", "--rpc-password", "p", "help", "stop")...); code != 0 || !strings.HasPrefix(out, "stop\n") {
		t.Errorf("with password: %q %q exit %d", out, errOut, code)
	}
	if _, errOut, code := runCLI(t, append(base, "uptime")...); code != 1 || !strings.Contains(errOut, "cannot read cookie file") {
		t.Errorf("no credentials: exit %d\n%s", code, errOut)
	}
	d.stop()
}
