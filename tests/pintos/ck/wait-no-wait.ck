# children outlive a parent that does not wait; the run ends with the last
run: wait no-wait
order: per-name
---
(wait) begin
(orphan-0) still running
orphan-0: exit(0)
(orphan-1) still running
orphan-1: exit(1)
(orphan-2) still running
orphan-2: exit(2)
(wait) leaving without waiting
(wait) end
wait: exit(0)
