package personid

import "testing"

func TestMultipliers(t *testing.T) {
	mn, mc := uint64(mulNumber), uint64(mulCPR)
	if mn*invNumber != 1 || mc*invCPR != 1 {
		t.Fatal("the multipliers and their inverses do not match")
	}
}
