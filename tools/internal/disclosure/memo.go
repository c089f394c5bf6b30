package disclosure

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sync"
)

// A component's verdict depends only on its linear program and on what is
// known of each of its cells (floor, true value, whether it may be zero),
// never on which tables it came from. Publishing recomputes the same
// components many times over (every suppression Protect adds, every
// version wco audit compares, every night's periods that did not change),
// so verdicts are kept, per process, by a digest of exactly those inputs.

// memoLimit bounds the verdicts kept; past it the memo starts afresh.
const memoLimit = 1 << 14

// memoEntry is a component's verdict, by position within the component.
type memoEntry struct {
	findings  []memoInterval // Audit: the breaches
	intervals []memoInterval // Attack: every cell's interval
}

type memoInterval struct {
	pos      int
	min, max float64
}

var memo struct {
	sync.Mutex
	m map[[sha256.Size]byte]memoEntry
}

// digest identifies a component's program and what is known of its cells,
// for one question (kind) at one width.
func (s *System) digest(kind byte, cells []int, p *program, width float64) [sha256.Size]byte {
	h := sha256.New()
	buf := make([]byte, 8)
	f := func(x float64) {
		binary.LittleEndian.PutUint64(buf, math.Float64bits(x))
		h.Write(buf)
	}
	h.Write([]byte{kind})
	f(width)
	f(float64(p.n))
	f(float64(len(p.A)))
	for i, row := range p.A {
		for _, v := range row {
			f(v)
		}
		f(p.b[i])
	}
	for _, v := range p.y0 {
		f(v)
	}
	for _, c := range cells {
		cell := s.Cells[c]
		f(float64(cell.Value))
		f(cell.floor())
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

func memoGet(key [sha256.Size]byte) (memoEntry, bool) {
	memo.Lock()
	defer memo.Unlock()
	e, ok := memo.m[key]
	return e, ok
}

func memoPut(key [sha256.Size]byte, e memoEntry) {
	memo.Lock()
	defer memo.Unlock()
	if memo.m == nil || len(memo.m) >= memoLimit {
		memo.m = map[[sha256.Size]byte]memoEntry{}
	}
	memo.m[key] = e
}
