//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsStopCommandsCleanly sends SIGINT and SIGTERM to check and
// publish while they read a large delivery: each must stop within a few
// seconds, say so, exit 1 and leave the outputs exactly as they were.
func TestSignalsStopCommandsCleanly(t *testing.T) {
	t.Parallel()
	bin, env := wcoProgram(t)
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	small := synthDelivery(t, 200, 3)
	big := synthDelivery(t, 60_000, 4) // read in about 1.2 s: the signal comes at 0.3 s
	o := newOutputs(t)
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--source", small, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	before := snapshot(t, o.data)

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, args := range [][]string{
			{"check", "--config", cfg, "--source", big},
			{"publish", "--config", cfg, "--source", big, "--data", o.data},
		} {
			t.Run(sig.String()+" "+args[0], func(t *testing.T) {
				ready := filepath.Join(t.TempDir(), "ready")
				cmd := exec.Command(bin, args...)
				cmd.Env = append(env, readyFile+"="+ready)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Signal once the command handles signals (its start-up,
				// Hugo's included, takes a while on a busy machine), while it
				// is reading the delivery.
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
					if _, err := os.Stat(ready); err == nil {
						break
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatalf("%s did not start within 30 s", args[0])
					}
				}
				time.Sleep(200 * time.Millisecond)
				sent := time.Now()
				cmd.Process.Signal(sig)
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case err := <-done:
					took := time.Since(sent)
					t.Logf("stopped %.2f s after %s", took.Seconds(), sig)
					if cmd.ProcessState.ExitCode() != 1 || err == nil {
						t.Errorf("exit %d, want 1\n%s", cmd.ProcessState.ExitCode(), out.String())
					}
					if !strings.Contains(out.String(), "stopped before the end") {
						t.Errorf("the command did not say it stopped:\n%s", out.String())
					}
				case <-time.After(10 * time.Second):
					cmd.Process.Kill()
					t.Fatalf("%s did not stop within 10 s of %s", args[0], sig)
				}
				if after := snapshot(t, o.data); !equalSnapshots(before, after) {
					t.Error("the outputs changed")
				}
			})
		}
	}
}
