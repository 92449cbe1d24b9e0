for p in 1 2 4; do
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS b1dst WITH (FORCE)" -c "CREATE DATABASE b1dst" postgres 2>/dev/null
/usr/bin/time -f "p=$p %e s %M KB" node bin/ferry.js run bench/pg-copy/contract.yaml --source postgres://postgres@127.0.0.1:5432/b1src --target postgres://postgres@127.0.0.1:5432/b1dst --no-reconcile --partitions $p --concurrency $p > /dev/null 2>/tmp/err.$p; tail -1 /tmp/err.$p
done
