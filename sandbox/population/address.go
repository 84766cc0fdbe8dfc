package population

import "fmt"

// An address key: the low 4 bits pick the municipality, the rest the
// street, number and unit, through hash.

// address returns the address with key k.
func (p *Population) address(k uint32) Address {
	mi := int(k&15) % len(municipalities)
	m := &municipalities[mi]
	h := hash(p.seed, uint64(k), tagAddress)
	si := int(h % uint64(len(streets)))
	street := uint64(mi*64 + si)
	sh := hash(p.seed, street, tagAddress^0xabc)
	post := m.posts[sh%uint64(len(m.posts))]
	a := Address{
		Municipality: m.number, MunicipalityName: m.name,
		Street: streets[si], StreetCode: fmt.Sprintf("%05d", 1000+sh>>20%8999),
		HouseNumber: 1 + int(h>>8%120), Unit: "H0101",
		PostalCode: post.code, PostalPlace: post.place,
		MatrikkelID: 100_000_000 + int64(h>>24%900_000_000),
	}
	switch h >> 16 % 8 {
	case 0:
		a.HouseLetter = "A"
	case 1:
		a.HouseLetter = "B"
	}
	if f := h >> 40 % 4; f > 0 {
		a.Unit = fmt.Sprintf("H%02d%02d", 1+f, 1+h>>48%4)
	}
	return a
}

// newAddress returns a fresh address key; with from >= 0 it stays in the
// same municipality as address key from 85 % of the time.
func (p *Population) newAddress(r *rng, from int64) uint32 {
	mi := p.pickMunicipality(r)
	if from >= 0 && r.chance(0.85) {
		mi = int(from & 15)
	}
	return uint32(r.next()&^15) | uint32(mi)
}

func (p *Population) pickMunicipality(r *rng) int {
	total := 0
	for _, m := range municipalities {
		total += m.weight
	}
	n := r.intn(total)
	for i, m := range municipalities {
		if n < m.weight {
			return i
		}
		n -= m.weight
	}
	return 0
}
