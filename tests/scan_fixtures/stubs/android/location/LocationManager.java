package android.location;

public class LocationManager { public Location getLastKnownLocation(String provider) { return null; } public void requestLocationUpdates(String p, long t, float d, Object l) { } }
