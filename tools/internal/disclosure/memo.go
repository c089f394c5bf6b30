package disclosure

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"sync"
)

// A component's verdict depends only on its linear program and on its
// targets, never on which tables it came from or on any true value.
// Publishing and auditing meet the same components many times over (every
// suppression Protect adds, every release the audit replays, every
// period that did not change), so verdicts are kept, per process, by a
// digest of exactly those inputs.

// memoLimit bounds the verdicts kept; past it the memo starts afresh.
const memoLimit = 1 << 14

// memoInterval is a breach, by the target's position in the component.
type memoInterval struct {
	pos      int
	min, max float64
}

var memo struct {
	sync.Mutex
	m map[[sha256.Size]byte][]memoInterval
}

// digest identifies a component's program and targets at one width.
func (s *System) digest(p *program, ts []target, width int) [sha256.Size]byte {
	h := sha256.New()
	buf := make([]byte, 8)
	f := func(x float64) {
		binary.LittleEndian.PutUint64(buf, math.Float64bits(x))
		h.Write(buf)
	}
	f(float64(width))
	f(float64(p.n))
	f(float64(len(p.A)))
	for i, row := range p.A {
		for _, v := range row {
			f(v)
		}
		f(p.b[i])
	}
	for _, t := range ts {
		f(float64(t.Kind))
		f(t.e.constant)
		vars := make([]int, 0, len(t.e.coef))
		for j := range t.e.coef {
			vars = append(vars, j)
		}
		slices.Sort(vars)
		f(float64(len(vars)))
		for _, j := range vars {
			f(float64(j))
			f(t.e.coef[j])
		}
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

func memoGet(key [sha256.Size]byte) ([]memoInterval, bool) {
	memo.Lock()
	defer memo.Unlock()
	e, ok := memo.m[key]
	return e, ok
}

func memoPut(key [sha256.Size]byte, e []memoInterval) {
	memo.Lock()
	defer memo.Unlock()
	if memo.m == nil || len(memo.m) >= memoLimit {
		memo.m = map[[sha256.Size]byte][]memoInterval{}
	}
	memo.m[key] = e
}
