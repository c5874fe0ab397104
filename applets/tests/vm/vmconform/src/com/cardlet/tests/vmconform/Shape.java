package com.cardlet.tests.vmconform;

/** An interface for invokeinterface; Sized extends it (interface inheritance). */
interface Shape {
    short area();

    short scale(short k);
}
