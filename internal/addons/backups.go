package addons

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// stderrTail is how much of a backup or restore command's stderr is kept
// for its error message.
const stderrTail = 2 << 10

// Capture dumps the named add-on's data to <data>/backups/<name>/<id>.dump
// and records the backup with its size and SHA-256 checksum. The dump is
// written to a temporary file first, so a failed capture leaves nothing.
func (s *Service) Capture(ctx context.Context, name, createdBy string, scheduled bool) (*paas.Backup, error) {
	unlock := s.lock(name)
	defer unlock()
	a, b, err := s.backuper(ctx, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	tmp, sum, size, err := s.dump(ctx, a, b)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	rec, err := s.store.CreateBackup(ctx, &paas.Backup{AddonID: a.ID, Addon: a.Name, Size: size, SHA256: sum, Scheduled: scheduled, CreatedBy: createdBy})
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, s.backupPath(rec)); err != nil {
		s.forgetBackup(ctx, rec)
		return nil, fmt.Errorf("store backup of %s: %w", name, err)
	}
	s.logger.Info("backup captured", "addon", name, "backup", rec.ID, "size_bytes", size,
		"scheduled", scheduled, "duration_ms", time.Since(start).Milliseconds())
	return rec, nil
}

// dump runs the provider's backup command into a temporary file in the
// add-on's backup directory and returns the file with its checksum and
// size.
func (s *Service) dump(ctx context.Context, a *paas.Addon, b Backuper) (path, sum string, size int64, err error) {
	dir := s.backupDir(a.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", 0, fmt.Errorf("make backup directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".capture-*.tmp")
	if err != nil {
		return "", "", 0, fmt.Errorf("create backup file: %w", err)
	}
	defer f.Close()
	w := &fileSum{f: f, h: sha256.New()}
	stderr := &tail{max: stderrTail}
	code, err := s.exec.ExecAddonFile(ctx, a.Name, b.BackupCommand(), w, stderr)
	if err == nil {
		err = w.err
	}
	if err == nil && code == 0 {
		err = f.Sync()
	}
	if err != nil || code != 0 {
		os.Remove(f.Name())
		return "", "", 0, commandFailed(fmt.Sprintf("backup of %s", a.Name), code, err, stderr)
	}
	if w.n == 0 {
		// No dump format is empty: keeping this would make a backup that
		// cannot be restored.
		os.Remove(f.Name())
		return "", "", 0, paas.Errorf(paas.EINTERNAL, "the backup of %s came back empty; nothing was kept, try again", a.Name)
	}
	return f.Name(), hex.EncodeToString(w.h.Sum(nil)), w.n, nil
}

// Restore replaces the data of the named add-on with backup id. A backup
// of another add-on needs confirm to be the name of the add-on whose data
// it replaces. The file's checksum is verified first; a damaged file, or
// a restore that fails, changes nothing.
func (s *Service) Restore(ctx context.Context, name string, id int64, confirm string) error {
	unlock := s.lock(name)
	defer unlock()
	a, b, err := s.backuper(ctx, name)
	if err != nil {
		return err
	}
	bk, err := s.store.GetBackup(ctx, id)
	if err != nil {
		return err
	}
	if bk.AddonID != a.ID && confirm != a.Name {
		return paas.Errorf(paas.EINVALID, "backup %s is of the add-on %s, not %s; restoring it replaces all data of %s. To go ahead, pass --confirm %s",
			paas.BackupLabel(id), bk.Addon, a.Name, a.Name, a.Name)
	}
	f, err := s.openVerified(bk)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	stderr := &tail{max: stderrTail}
	code, err := s.exec.ExecAddon(ctx, a.Name, b.RestoreCommand(), f, io.Discard, stderr)
	if err != nil || code != 0 {
		return commandFailed(fmt.Sprintf("restore of %s into %s (nothing was changed)", paas.BackupLabel(id), a.Name), code, err, stderr)
	}
	s.logger.Info("backup restored", "addon", name, "backup", id, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// openVerified opens the file of bk after checking its size and SHA-256
// checksum against the record.
func (s *Service) openVerified(bk *paas.Backup) (*os.File, error) {
	f, err := os.Open(s.backupPath(bk))
	if os.IsNotExist(err) {
		return nil, paas.Errorf(paas.ENOTFOUND, "the file of backup %s is missing from %s; nothing was restored", paas.BackupLabel(bk.ID), s.backupDir(bk.Addon))
	}
	if err != nil {
		return nil, fmt.Errorf("open backup %d: %w", bk.ID, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read backup %d: %w", bk.ID, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != bk.SHA256 || n != bk.Size {
		f.Close()
		s.logger.Error("backup checksum mismatch", "backup", bk.ID, "addon", bk.Addon, "size_bytes", n)
		return nil, paas.Errorf(paas.EINTERNAL, "backup %s is damaged: its checksum does not match the one recorded when it was taken; nothing was restored", paas.BackupLabel(bk.ID))
	}
	return f, nil
}

// Backups returns the backups of the named add-on, newest first.
func (s *Service) Backups(ctx context.Context, name string) ([]*paas.Backup, error) {
	a, _, err := s.backuper(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.store.ListBackups(ctx, a.ID)
}

// DeleteBackup deletes backup id, its file and its record.
func (s *Service) DeleteBackup(ctx context.Context, id int64) error {
	bk, err := s.store.GetBackup(ctx, id)
	if err != nil {
		return err
	}
	if err := os.Remove(s.backupPath(bk)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("delete backup %d: %w", id, err)
	}
	return s.store.DeleteBackup(ctx, id)
}

// backuper returns the named add-on and its provider, which must take
// backups.
func (s *Service) backuper(ctx context.Context, name string) (*paas.Addon, Backuper, error) {
	a, err := s.store.GetAddon(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	p, _, err := s.instance(a)
	if err != nil {
		return nil, nil, err
	}
	b, ok := p.(Backuper)
	if !ok {
		return nil, nil, paas.Errorf(paas.EINVALID, "add-on %s is a %s add-on, which has no backups", name, a.Type)
	}
	if a.State != paas.AddonAvailable {
		return nil, nil, paas.Errorf(paas.ECONFLICT, "add-on %s is still being created; try again in a moment", name)
	}
	return a, b, nil
}

// forgetBackup deletes the record of a backup whose file could not be
// kept.
func (s *Service) forgetBackup(ctx context.Context, bk *paas.Backup) {
	if err := s.store.DeleteBackup(context.WithoutCancel(ctx), bk.ID); err != nil {
		s.logger.Error("delete record of lost backup", "backup", bk.ID, "error", err)
	}
}

func (s *Service) backupPath(bk *paas.Backup) string {
	return filepath.Join(s.backupDir(bk.Addon), strconv.FormatInt(bk.ID, 10)+".dump")
}

// commandFailed is the error of a backup or restore command: why it could
// not run, or its exit code and the last line of its stderr.
func commandFailed(what string, code int, err error, stderr *tail) error {
	if err != nil {
		return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "%s could not run; is the add-on running? see paas addons:info", what), err)
	}
	return paas.Errorf(paas.EINVALID, "%s failed with exit code %d: %s", what, code, stderr.lastLine())
}

// fileSum writes to a file and a hash, counting bytes and keeping the
// first write error (the exec stream ignores them).
type fileSum struct {
	f   *os.File
	h   hash.Hash
	n   int64
	err error
}

func (w *fileSum) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	w.err = err
	return n, err
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

// lastLine returns the last non-empty line written, or "no output".
func (t *tail) lastLine() string {
	lines := bytes.Split(bytes.TrimSpace(t.buf), []byte("\n"))
	if last := strings.TrimSpace(string(lines[len(lines)-1])); last != "" {
		return last
	}
	return "no output"
}

// Backup returns the record of backup id.
func (s *Service) Backup(ctx context.Context, id int64) (*paas.Backup, error) {
	return s.store.GetBackup(ctx, id)
}
