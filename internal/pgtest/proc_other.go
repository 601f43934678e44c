//go:build unix && !linux

package pgtest

import "syscall"

// serverProcAttr runs the server as cred, or as the current user when cred
// is nil. Only Linux can tie the server's life to this process.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
