run: write stdin
---
(write) begin
(write) write to fd 0 (the keyboard) fails
(write) end
write: exit(0)
