package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/router"
)

// nomadProbeTimeout bounds the first read of Nomad's catalogue at start;
// past it the router starts from its state file.
const nomadProbeTimeout = 3 * time.Second

// catalogue is what restore needs of the scheduler.
type catalogue interface {
	Instances(ctx context.Context) ([]paas.Instance, error)
}

// restore gives rt its first table. The maintenance set always comes from
// the state file, since only the router keeps it. The instances come from
// Nomad when it answers, and from the state file when it does not: then
// the router serves the apps that were up when it last saw the table, even
// with paasd, PostgreSQL and Nomad all down.
func restore(ctx context.Context, rt *router.Router, cat catalogue, stateFile string, logger *slog.Logger) {
	snap := readState(stateFile, logger)
	pctx, cancel := context.WithTimeout(ctx, nomadProbeTimeout)
	defer cancel()
	insts, err := cat.Instances(pctx)
	switch {
	case err == nil:
		snap.Instances = insts
	case stateFile == "":
		logger.Warn("nomad unreachable at start and no state file; serving no app until nomad answers", "error", err)
	default:
		logger.Warn("nomad unreachable at start; serving the last-known table until it answers",
			"error", err, "instances", len(snap.Instances), "saved_at", snap.SavedAt)
	}
	rt.Restore(snap)
}

// readState reads the state file, if any. A missing or unreadable file
// gives an empty table: the router starts all the same.
func readState(path string, logger *slog.Logger) router.Snapshot {
	if path == "" {
		return router.Snapshot{}
	}
	snap, err := router.ReadSnapshot(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		logger.Info("no state file yet", "path", path)
	case err != nil:
		logger.Warn("state file unreadable; starting from an empty table", "path", path, "error", err)
	}
	return snap
}

// lockState takes an exclusive lock on path+".lock" for as long as the
// router runs, so that two routers on one machine (the platform's and a
// test's) never write the same state file: the second one runs without a
// state file. It returns the state file to use and the function that
// releases the lock.
func lockState(path string, logger *slog.Logger) (string, func()) {
	none := func() {}
	if path == "" {
		return "", none
	}
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		logger.Warn("state file cannot be locked; running without one", "path", path, "error", err)
		return "", none
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		logger.Warn("state file in use by another paas-router; running without one", "path", path, "error", err)
		return "", none
	}
	return path, func() { f.Close() }
}
