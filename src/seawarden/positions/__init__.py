"""One position record for AIS and BeiDou/VMS, with cleaning, deduplication and segmentation.

Sources: AIS class A, B, SAR aircraft, long range; BeiDou/VMS fishing terminals. Vessel
particulars come from the AIS static reports.
"""
