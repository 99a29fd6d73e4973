"""billdiff's batch jobs on Apache Spark (``engine="spark"``); see docs/spark.md.

Spark does the distributed work (partitions, shuffles, joins, Parquet); billdiff's own stage
functions do the text work inside ``mapInArrow``/``mapPartitions``. PySpark is an optional
extra (``pip install 'billdiff[spark]'``) imported only by the modules of this package.
"""
