// Package version holds the felles release version, used in the User-Agent
// of every request and printed by the CLI.
package version

// Version is the felles module version.
const Version = "0.1.0"

// UserAgent is the User-Agent header value felles sends: "felles/<version>".
const UserAgent = "felles/" + Version
