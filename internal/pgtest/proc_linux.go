package pgtest

import "syscall"

// serverProcAttr runs the server as cred, or as the current user when cred
// is nil, and has the kernel stop it at once if this process dies without
// stopping it.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
