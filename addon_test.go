package paas

import "testing"

func TestValidateAddonName(t *testing.T) {
	for name, ok := range map[string]bool{
		"hello-postgres": true, "db": true, "a1-b2": true, "analytics-v2x": true,
		"": false, "Hello": false, "1db": false, "db-": false, "db_1": false,
		"x-v2": false, "v1": false, "x-web": false, "x-run-0123abcd": false,
		"x23456789012345678901234567890123456789012345678901": false,
	} {
		if err := ValidateAddonName(name); (err == nil) != ok {
			t.Errorf("ValidateAddonName(%q) = %v, want ok %t", name, err, ok)
		}
	}
}

func TestValidateAttachmentName(t *testing.T) {
	for name, ok := range map[string]bool{
		"DATABASE": true, "ANALYTICS": true, "CACHE_2": true,
		"": false, "database": false, "_X": false, "2X": false, "PAAS": false, "A-B": false,
	} {
		if err := ValidateAttachmentName(name); (err == nil) != ok {
			t.Errorf("ValidateAttachmentName(%q) = %v, want ok %t", name, err, ok)
		}
	}
}

func TestParseBackupID(t *testing.T) {
	for in, want := range map[string]int64{"b001": 1, "b7": 7, "12": 12, "b": 0, "x1": 0, "-1": 0, "b0": 0} {
		got, err := ParseBackupID(in)
		if got != want || (err == nil) != (want != 0) {
			t.Errorf("ParseBackupID(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if BackupLabel(7) != "b007" || BackupLabel(1234) != "b1234" {
		t.Errorf("BackupLabel: %s %s", BackupLabel(7), BackupLabel(1234))
	}
}
