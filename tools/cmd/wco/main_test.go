package main

import (
	"os"
	"testing"
)

// TestMain gives the tests a pseudonym key: publishing a delivery other
// than the embedded sample needs one. Tests of the refusal unset it.
func TestMain(m *testing.M) {
	os.Setenv("WCO_PSEUDONYM_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	os.Exit(m.Run())
}
