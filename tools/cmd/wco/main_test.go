package main

import (
	"os"
	"testing"
)

// TestMain gives the tests a pseudonym key: publishing a delivery other
// than the embedded sample needs one. Tests of the refusal unset it.
func TestMain(m *testing.M) {
	os.Setenv("WCO_PSEUDONYM_KEY", "test-key-not-secret")
	os.Exit(m.Run())
}
