package population

// splitmix64 drives everything random here: a sequential generator for the
// structure (households, events) and a stateless hash for attributes that
// are derived on demand from (seed, person, purpose).

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hash derives a value from the seed, a person (or other number) and a
// purpose tag.
func hash(seed uint64, n uint64, tag uint64) uint64 {
	return mix(mix(seed^0x5ca1ab1e) ^ mix(n*0x2545f4914f6cdd1d+tag))
}

// unit maps h to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// Purpose tags of hash.
const (
	tagRegistered uint64 = iota + 1
	tagMoveIn
	tagCivilDate
	tagDeathDate
	tagKRR
	tagKRRTimes
	tagContact
	tagMailbox
	tagLanguage
	tagAddress
)

type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi]; hi >= lo.
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *rng) float() float64 { return unit(r.next()) }

func (r *rng) chance(p float64) bool { return r.float() < p }
