//go:build integration

package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPreviewServesWithoutTouchingOutputs starts the preview server on a
// free loopback port, reads the home page and stops it.
func TestPreviewServesWithoutTouchingOutputs(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	o := newOutputs(t)
	before, _ := filepath.Glob(filepath.Join(repoRoot(t), ".wco-out", "gen-*"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"preview", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data, "--port", strconv.Itoa(port)}, io.Discard, io.Discard)
	}()

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	var body string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			body = string(b)
			break
		}
	}
	if !strings.Contains(body, "synthetic sample delivery") || !strings.Contains(body, "2026-Q3") {
		t.Fatalf("preview home page = %.300q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("preview stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("preview did not stop after cancel")
	}
	if _, err := os.Stat(o.data); err == nil {
		t.Error("preview wrote into the data folder")
	}
	after, _ := filepath.Glob(filepath.Join(repoRoot(t), ".wco-out", "gen-*"))
	if len(after) != len(before) {
		t.Errorf("preview left a generation behind: %v, before %v", after, before)
	}
}
