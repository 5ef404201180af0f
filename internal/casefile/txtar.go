package casefile

import (
	"bytes"
	"strings"
)

// Archive is a txtar archive: a comment, then files.
type Archive struct {
	Comment []byte
	Files   []File
}

// File is one file section of an Archive.
type File struct {
	Name string
	Data []byte
}

// ParseArchive reads data as a txtar archive. A line "-- NAME --" starts
// a file named NAME (spaces around it trimmed); the comment is everything
// before the first such line, and a file's data runs to the next one.
// As in the txtar format, the comment and each non-empty file end in a
// newline: one is added to the last section when data lacks it. Any
// input parses; there is no error.
func ParseArchive(data []byte) *Archive {
	a := &Archive{}
	var cur *File // nil while reading the comment
	start := 0
	flush := func(end int) {
		sec := bytes.Clone(data[start:end])
		if len(sec) > 0 && sec[len(sec)-1] != '\n' {
			sec = append(sec, '\n')
		}
		if cur == nil {
			a.Comment = sec
		} else {
			cur.Data = sec
			a.Files = append(a.Files, *cur)
		}
	}
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		if name, ok := marker(data[i:next]); ok {
			flush(i)
			cur, start = &File{Name: name}, next
		}
		i = next
	}
	flush(len(data))
	return a
}

// marker returns the file name of a line "-- NAME --" (with or without
// its newline), and whether line is one.
func marker(line []byte) (string, bool) {
	s := strings.TrimSuffix(string(line), "\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < len("-- --")+1 {
		return "", false
	}
	name := strings.TrimSpace(s[len("-- ") : len(s)-len(" --")])
	return name, name != ""
}
