package com.example.app;

import android.content.Context;
import android.location.Location;
import android.location.LocationManager;

public class Stores {
    public Location nearby(Context context) {
        LocationManager lm = (LocationManager) context.getSystemService("location");
        return lm.getLastKnownLocation("fused");
    }

    /** A lambda: javac keeps it in this class, D8 moves it to a synthetic one. */
    public Runnable follow(final LocationManager lm) {
        return () -> lm.requestLocationUpdates("gps", 1000L, 0f, null);
    }
}
