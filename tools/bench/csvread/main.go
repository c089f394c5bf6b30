// Command csvread reads CSV files with a bare encoding/csv reader and
// prints how many records each holds: the floor any CSV tool stands on,
// for the publish benchmark (tools/bench/publish.sh).
package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "csvread:", err)
		os.Exit(1)
	}
}

func run(files []string, out io.Writer) error {
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		r := csv.NewReader(f)
		r.ReuseRecord = true
		n := 0
		for {
			_, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			n++
		}
		f.Close()
		fmt.Fprintf(out, "%s\t%d\n", name, n)
	}
	return nil
}
