//go:build !unix

package data

import "testing"

func mkfifo(t *testing.T, p string) { t.Skip("no named pipes on this system") }
