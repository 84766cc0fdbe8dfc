package maskinporten

import "time"

// replayPruneInterval is how often the replay cache drops expired entries.
const replayPruneInterval = 30 * time.Second

// replayCache remembers the jti of every grant used, until the grant
// expires, so that a grant is never accepted twice (MP-012). The caller
// holds the Server's lock.
type replayCache struct {
	seen      map[string]time.Time // client id + NUL + jti → forget after
	nextPrune time.Time
}

// use records key until the time until and reports whether it was new.
func (c *replayCache) use(key string, until, now time.Time) bool {
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	if !now.Before(c.nextPrune) {
		for k, t := range c.seen {
			if now.After(t) {
				delete(c.seen, k)
			}
		}
		c.nextPrune = now.Add(replayPruneInterval)
	}
	if t, ok := c.seen[key]; ok && !now.After(t) {
		return false
	}
	c.seen[key] = until
	return true
}
