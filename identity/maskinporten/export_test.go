package maskinporten

// Hooks for the external tests.

// SignGrant builds and signs one JWT grant for r, as a token request does.
func SignGrant(c *Client, r Request) (string, error) {
	n, _, err := normalize(r)
	if err != nil {
		return "", err
	}
	return c.assertion(c.issuer, &n, c.now())
}

// RenewAfter is renewAfter.
var RenewAfter = renewAfter
