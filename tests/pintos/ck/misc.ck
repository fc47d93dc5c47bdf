run: misc
status: 3
---
(misc) begin
(misc) calls 16 to 24 (chdir, mkdir, readdir, isdir, inumber, symlink, dup2, mount, umount): -1
(misc) Linux's write (64): -1
(misc) 0x41, 0x43 and -1: -1
(misc) an empty console write: 0
(misc) end
misc: exit(3)
