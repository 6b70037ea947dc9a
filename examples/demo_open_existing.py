"""The seed's OpenExisting reader, in Python. Run it while the C++ example demo_create_new holds
the map "Demo":  PYTHONPATH=build/dev/python /usr/bin/python3 examples/demo_open_existing.py
It prints 12345."""
import mmf
import numpy as np

demo = mmf.MemoryMappedFile.open_existing("Demo")
print(np.frombuffer(demo.create_view_accessor(), dtype=np.int32)[0])
mmf.NamedEvent.create_or_open("Demo.read", mmf.EventReset.manual).set()  # demo_create_new may end
