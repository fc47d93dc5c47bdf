run: wait bad-pid
---
(wait) begin
(wait) wait(12345): -1
(wait) wait(0): -1
(wait) wait(-1): -1
(wait) end
wait: exit(0)
