package main

import "github.com/fellesgo/felles"

func versionString() string { return felles.Version }
